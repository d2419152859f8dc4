import type { Template } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import {
  allParametersFilled,
  fillPlaceholders,
  fillTemplate,
  filledTemplateText,
  isApproved,
  templateParameters,
} from '../../src/domain/templates.js';

const orderUpdate: Template = {
  id: 't1',
  channelAccountId: 'a1',
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY',
  status: 'APPROVED',
  seq: 1,
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', parameterCount: 1, buttons: [] },
    { type: 'BODY', format: null, text: 'Hi {{1}}, your order {{2}} ships {{ 3 }}.', parameterCount: 3, buttons: [] },
    { type: 'FOOTER', format: null, text: 'Acme Store', parameterCount: 0, buttons: [] },
    {
      type: 'BUTTONS',
      format: null,
      text: null,
      parameterCount: 0,
      buttons: [{ type: 'QUICK_REPLY', text: 'Track it' }],
    },
  ],
};

describe('templates', () => {
  it('lists the parameters header first, each component numbered from 1', () => {
    expect(templateParameters(orderUpdate)).toEqual([
      { component: 'HEADER', index: 1 },
      { component: 'BODY', index: 1 },
      { component: 'BODY', index: 2 },
      { component: 'BODY', index: 3 },
    ]);
  });

  it('fills each component with its own slice of the parameters', () => {
    expect(fillTemplate(orderUpdate, ['#4821', 'Mariana', '#4821', 'today'])).toEqual({
      header: 'Order #4821',
      body: 'Hi Mariana, your order #4821 ships today.',
      footer: 'Acme Store',
      buttons: ['Track it'],
    });
  });

  it('leaves a placeholder visible while its value is missing or blank', () => {
    expect(fillPlaceholders('Hi {{1}}, order {{2}}', ['Ana'])).toBe('Hi Ana, order {{2}}');
    expect(fillPlaceholders('Hi {{1}}', ['  '])).toBe('Hi {{1}}');
    expect(fillTemplate(orderUpdate, []).header).toBe('Order {{1}}');
  });

  it('can be sent only once every parameter has a value', () => {
    expect(allParametersFilled(orderUpdate, ['#1', 'Ana', '#1'])).toBe(false);
    expect(allParametersFilled(orderUpdate, ['#1', 'Ana', '#1', ' '])).toBe(false);
    expect(allParametersFilled(orderUpdate, ['#1', 'Ana', '#1', 'today'])).toBe(true);
  });

  it('reads a sent template as one text, and knows approved from the rest', () => {
    expect(filledTemplateText(orderUpdate, ['#9', 'Bo', '#9', 'now'])).toBe(
      'Order #9\n\nHi Bo, your order #9 ships now.\n\nAcme Store',
    );
    expect(isApproved(orderUpdate)).toBe(true);
    expect(isApproved({ status: 'approved' })).toBe(true);
    expect(isApproved({ status: 'PAUSED' })).toBe(false);
  });
});
