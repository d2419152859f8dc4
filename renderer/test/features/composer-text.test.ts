import { describe, expect, it } from 'vitest';
import type { Agent, CannedResponse } from '@parley/protocol';
import {
  fillVariables,
  filterCanned,
  filterColleagues,
  isNoteShortcut,
  mentionsInText,
  noteShortcutLabel,
  replaceTrigger,
  triggerAt,
  unfilledVariables,
  withSignature,
} from '../../src/features/conversation/composer/composerText.js';

function canned(overrides: Partial<CannedResponse>): CannedResponse {
  return {
    id: overrides.shortcut ?? 'id',
    shortcut: 'hello',
    title: '',
    body: 'Hello!',
    ownerId: null,
    deleted: false,
    updatedAt: 0,
    seq: 1,
    ...overrides,
  };
}

function agent(overrides: Partial<Agent>): Agent {
  return {
    id: overrides.name ?? 'a',
    email: `${(overrides.name ?? 'a').toLowerCase().replace(/\s+/g, '.')}@example.com`,
    name: 'Agent',
    role: 'agent',
    kind: 'person',
    presence: 'online',
    presenceAt: null,
    active: true,
    capacity: 10,
    teamIds: [],
    seq: 1,
    ...overrides,
  };
}

describe('what the caret is typing', () => {
  it('opens the canned list on / at the start or after a space, with the word typed so far', () => {
    expect(triggerAt('/', 1, false)).toEqual({ kind: 'canned', start: 0, query: '' });
    expect(triggerAt('Hi /than', 8, false)).toEqual({ kind: 'canned', start: 3, query: 'than' });
    expect(triggerAt('line\n/re', 8, false)).toEqual({ kind: 'canned', start: 5, query: 're' });
  });

  it('does not open inside a word, a link or after a space was typed', () => {
    expect(triggerAt('and/or', 6, false)).toBeNull();
    expect(triggerAt('see https://example.com/a', 25, false)).toBeNull();
    expect(triggerAt('/thanks ', 8, false)).toBeNull();
  });

  it('reads only up to the caret', () => {
    expect(triggerAt('/thanks and more', 4, false)).toEqual({ kind: 'canned', start: 0, query: 'tha' });
  });

  it('opens the colleagues on @ only in a note', () => {
    expect(triggerAt('ask @ma', 7, true)).toEqual({ kind: 'mention', start: 4, query: 'ma' });
    expect(triggerAt('ask @ma', 7, false)).toBeNull();
    expect(triggerAt('mail me@example', 15, true)).toBeNull();
  });

  it('replaces the trigger with what was picked and puts the caret after it', () => {
    const text = 'Hi /tha, bye';
    const trigger = triggerAt(text, 7, false);
    expect(trigger).not.toBeNull();
    if (trigger === null) return;
    expect(replaceTrigger(text, trigger, 7, 'Thank you!')).toEqual({ text: 'Hi Thank you!, bye', caret: 13 });
  });
});

describe('filling a canned response', () => {
  const variables = { contactName: 'Oliver Bennett', agentName: 'Maya Lopez' };

  it('fills the contact and agent names and first names', () => {
    expect(
      fillVariables(
        'Hi {{contact.first_name}}, {{agent.name}} here ({{ agent.first_name }}). {{contact.name}}',
        variables,
      ),
    ).toBe('Hi Oliver, Maya Lopez here (Maya). Oliver Bennett');
  });

  it('leaves an unknown variable, and one without a value, as typed so the agent sees it', () => {
    const filled = fillVariables('Order {{order.id}} for {{contact.name}}', { contactName: ' ', agentName: 'Maya' });
    expect(filled).toBe('Order {{order.id}} for {{contact.name}}');
    expect(unfilledVariables(filled)).toEqual(['{{order.id}}', '{{contact.name}}']);
  });

  it('keeps markup as plain text: nothing is interpreted', () => {
    expect(fillVariables('<b>{{contact.name}}</b>', { contactName: '<img onerror=x>', agentName: '' })).toBe(
      '<b><img onerror=x></b>',
    );
  });
});

describe('finding canned responses', () => {
  const responses = [
    canned({ id: '1', shortcut: 'thanks', title: 'Thank the customer' }),
    canned({ id: '2', shortcut: 'refund', title: 'Refund policy' }),
    canned({ id: '3', shortcut: 'hello', title: 'Greeting', ownerId: 'me' }),
    canned({ id: '4', shortcut: 'hello-other', title: 'Greeting', ownerId: 'someone-else' }),
    canned({ id: '5', shortcut: 'thanks-old', title: 'Old', deleted: true }),
    canned({ id: '6', shortcut: 'merci', title: 'Remerciements, thanks in French' }),
  ];

  it('offers shared ones and my own, never deleted ones or a colleague’s personal ones', () => {
    expect(filterCanned(responses, '', 'me').map((r) => r.id)).toEqual(['3', '6', '2', '1']);
  });

  it('matches the shortcut first, then the title, ignoring case and accents', () => {
    expect(filterCanned(responses, 'THA', 'me').map((r) => r.id)).toEqual(['1', '6']);
    expect(filterCanned(responses, 'polic', 'me').map((r) => r.id)).toEqual(['2']);
    expect(filterCanned([canned({ id: 'x', shortcut: 'cafe', title: 'Café' })], 'CAFÉ', 'me')).toHaveLength(1);
  });

  it('lists at most the limit', () => {
    const many = Array.from({ length: 20 }, (_, i) => canned({ id: `c${i}`, shortcut: `s${i}` }));
    expect(filterCanned(many, 's', 'me', 8)).toHaveLength(8);
  });
});

describe('mentioning colleagues', () => {
  const agents = [
    agent({ id: 'me', name: 'Maya Lopez' }),
    agent({ id: 'ann', name: 'Ann Smith' }),
    agent({ id: 'anna', name: 'Anna Éloïse Martin' }),
    agent({ id: 'gone', name: 'Andy Gone', active: false }),
    agent({ id: 'bot', name: 'Answer Bot', kind: 'integration' }),
  ];

  it('offers active people other than me, by any word of their name or their email', () => {
    expect(filterColleagues(agents, 'an', 'me').map((a) => a.id)).toEqual(['ann', 'anna']);
    expect(filterColleagues(agents, 'elo', 'me').map((a) => a.id)).toEqual(['anna']);
    expect(filterColleagues(agents, 'maya', 'me')).toEqual([]);
  });

  it('sends only the colleagues still named in the text, once each', () => {
    const picked = [
      { id: 'ann', name: 'Ann Smith' },
      { id: 'anna', name: 'Anna Éloïse Martin' },
      { id: 'ann', name: 'Ann Smith' },
    ];
    expect(mentionsInText('@Ann Smith and @Anna Éloïse Martin, look', picked)).toEqual(['ann', 'anna']);
    expect(mentionsInText('only @Anna Éloïse Martin now', picked)).toEqual(['anna']);
    expect(mentionsInText('nobody', picked)).toEqual([]);
  });

  it('does not take a longer name for a shorter one', () => {
    expect(mentionsInText('@Ann Smithson', [{ id: 'ann', name: 'Ann Smith' }])).toEqual([]);
    expect(mentionsInText('@Ann Smith.', [{ id: 'ann', name: 'Ann Smith' }])).toEqual(['ann']);
  });
});

describe('the signature and the note shortcut', () => {
  it('adds the signature under a reply, and nothing when there is none', () => {
    expect(withSignature('Thanks!', '— Maya, Parley support ')).toBe('Thanks!\n\n— Maya, Parley support');
    expect(withSignature('Thanks!', null)).toBe('Thanks!');
    expect(withSignature('Thanks!', '   ')).toBe('Thanks!');
  });

  function key(overrides: Partial<KeyboardEvent> & { altGraph?: boolean }): Parameters<typeof isNoteShortcut>[0] {
    return {
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      shiftKey: false,
      code: 'KeyN',
      ...overrides,
      getModifierState: (name: string) => name === 'AltGraph' && overrides.altGraph === true,
    };
  }

  it('is Ctrl+Alt+N, or ⌘⌥N on a Mac, and never AltGr typing a letter', () => {
    expect(isNoteShortcut(key({ ctrlKey: true, altKey: true }), false)).toBe(true);
    expect(isNoteShortcut(key({ metaKey: true, altKey: true }), true)).toBe(true);
    expect(isNoteShortcut(key({ metaKey: true, altKey: true }), false)).toBe(false);
    expect(isNoteShortcut(key({ ctrlKey: true, altKey: true, altGraph: true }), false)).toBe(false);
    expect(isNoteShortcut(key({ ctrlKey: true, altKey: true, code: 'KeyM' }), false)).toBe(false);
    expect(isNoteShortcut(key({ ctrlKey: true }), false)).toBe(false);
    expect(noteShortcutLabel(false)).toBe('Ctrl+Alt+N');
    expect(noteShortcutLabel(true)).toBe('⌘⌥N');
  });
});
