import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { TemplateSchema, type Template } from '@parley/protocol';
import { WA_BUSINESS_ACCOUNT_ID, pullChanges } from './helpers.js';
import {
  DAY_MS,
  MESSAGES_PATH,
  clientId,
  graphError,
  mutate,
  seedThread,
  sendText,
  startHarness,
  waitForMessage,
  type FakeTemplate,
  type Harness,
} from './outbound-support.js';

/**
 * WhatsApp templates: synced from the account's message_templates (every page) into
 * Template entities clients sync, and sent with their values as `type: template`, the one
 * thing WhatsApp takes once the 24-hour window has closed.
 */

const TEMPLATES: FakeTemplate[] = [
  {
    name: 'hello_world',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
      { type: 'BODY', text: 'Welcome and congratulations!!' },
      { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
    ],
  },
  {
    name: 'order_update',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
      {
        type: 'BODY',
        text: 'Hi {{1}}, your order {{2}} has shipped. It arrives {{3}}; {{1}}, reply if anything is wrong.',
      },
      { type: 'FOOTER', text: 'Acme Store' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Talk to an agent' },
          { type: 'URL', text: 'Track', url: 'https://acme.example/track/{{1}}' },
        ],
      },
    ],
  },
  {
    name: 'order_update',
    language: 'pt_BR',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido foi enviado.' }],
  },
  {
    name: 'summer_sale',
    language: 'en_US',
    status: 'PENDING',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Summer sale until {{1}}!' }],
  },
  {
    name: 'shipping_label',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'DOCUMENT' },
      { type: 'BODY', text: 'Here is your label.' },
    ],
  },
];

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness({
    fakeOptions: { templatePageSize: 2, templates: { [WA_BUSINESS_ACCOUNT_ID]: TEMPLATES } },
  });
  await harness.server.store.db
    .updateTable('channel_accounts')
    .set({ waba_id: WA_BUSINESS_ACCOUNT_ID })
    .where('channel', '=', 'whatsapp')
    .execute();
});

afterEach(async () => {
  await harness.close();
});

async function storedTemplates(): Promise<Template[]> {
  const page = await pullChanges(harness.socket, { cursor: 0, limit: 1000 });
  if (!page.ok) throw new Error(`refused: ${page.code} ${page.reason ?? ''}`);
  return page.changes.flatMap((change) => (change.entity === 'template' ? [TemplateSchema.parse(change.data)] : []));
}

function templateNamed(templates: Template[], name: string, language = 'en_US'): Template {
  const found = templates.find((template) => template.name === name && template.language === language);
  if (found === undefined) throw new Error(`no template ${name} ${language}`);
  return found;
}

describe('template sync', () => {
  test('every page is fetched by cursor; templates become entities with their parameter counts', async () => {
    const [result] = await harness.server.outbound.syncTemplates();
    expect(result).toMatchObject({ fetched: 5, changed: 5, removed: 0 });
    const calls = harness.fake.callsTo({ method: 'GET', path: `/${WA_BUSINESS_ACCOUNT_ID}/message_templates` });
    expect(calls).toHaveLength(3);
    expect(calls[0]?.query.after).toBeUndefined();
    expect(calls[1]?.query.after).toBeDefined();
    expect(calls[0]?.query.fields).toContain('components');
    for (const call of calls) expect(call.auth).toEqual({ scheme: 'bearer', tokenOk: true, tokenInQuery: false });

    await harness.batches.waitFor((batch) => batch.changes.some((change) => change.entity === 'template'), 'templates');
    const templates = await storedTemplates();
    expect(templates).toHaveLength(5);
    const orderUpdate = templateNamed(templates, 'order_update');
    expect(orderUpdate).toMatchObject({ category: 'UTILITY', status: 'APPROVED' });
    expect(orderUpdate.components).toEqual([
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', parameterCount: 1, buttons: [] },
      {
        type: 'BODY',
        format: null,
        text: 'Hi {{1}}, your order {{2}} has shipped. It arrives {{3}}; {{1}}, reply if anything is wrong.',
        parameterCount: 3,
        buttons: [],
      },
      { type: 'FOOTER', format: null, text: 'Acme Store', parameterCount: 0, buttons: [] },
      {
        type: 'BUTTONS',
        format: null,
        text: null,
        parameterCount: 1,
        buttons: [
          { type: 'QUICK_REPLY', text: 'Talk to an agent' },
          { type: 'URL', text: 'Track' },
        ],
      },
    ]);
    expect(templateNamed(templates, 'order_update', 'pt_BR').components[0]?.parameterCount).toBe(1);
    expect(templateNamed(templates, 'hello_world').components.every((c) => c.parameterCount === 0)).toBe(true);
    expect(templateNamed(templates, 'shipping_label').components[0]?.parameterCount).toBe(1);
  });

  test('an unchanged list changes nothing; a changed status is updated; a template Meta dropped is kept as DELETED', async () => {
    await harness.server.outbound.syncTemplates();
    const head = await harness.server.store.head();
    expect(await harness.server.outbound.syncTemplates()).toEqual([
      expect.objectContaining({ changed: 0, removed: 0 }),
    ]);
    expect(await harness.server.store.head()).toBe(head);

    harness.fake.setTemplates(WA_BUSINESS_ACCOUNT_ID, [
      ...TEMPLATES.filter((template) => template.name !== 'hello_world' && template.name !== 'summer_sale'),
      { ...(TEMPLATES[3] as FakeTemplate), status: 'APPROVED' },
    ]);
    expect(await harness.server.outbound.syncTemplates()).toEqual([
      expect.objectContaining({ changed: 1, removed: 1 }),
    ]);
    const templates = await storedTemplates();
    expect(templateNamed(templates, 'hello_world').status).toBe('DELETED');
    expect(templateNamed(templates, 'summer_sale').status).toBe('APPROVED');
  });

  test('Meta failing the sync leaves the stored templates as they were', async () => {
    await harness.server.outbound.syncTemplates();
    const head = await harness.server.store.head();
    harness.fake.queue(
      { path: `/${WA_BUSINESS_ACCOUNT_ID}/message_templates` },
      await graphError({ status: 500, code: 1 }),
    );
    expect(await harness.server.outbound.syncTemplates()).toEqual([]);
    expect(await harness.server.store.head()).toBe(head);
  });
});

describe('template sends', () => {
  test('with the window closed, a template goes, its values in order across header, body and URL button', async () => {
    await harness.server.outbound.syncTemplates();
    const templates = await storedTemplates();
    const orderUpdate = templateNamed(templates, 'order_update');
    const thread = await seedThread(harness.server, { channel: 'whatsapp', lastInboundAt: Date.now() - 3 * DAY_MS });
    // Free text is refused; the template is not.
    expect(await mutate(harness, sendText(thread.conversationId, 'Hi'))).toMatchObject({
      ok: false,
      code: 'window_closed',
    });
    const result = await mutate(harness, {
      type: 'message.send',
      clientId: clientId(),
      conversationId: thread.conversationId,
      content: {
        kind: 'template',
        templateId: orderUpdate.id,
        parameters: ['#4821', 'Mariana', '#4821', 'on Friday', 'R4821'],
      },
      replyToMessageId: thread.inboundMessageId,
      humanAgentTag: false,
    });
    if (!result.ok || result.message === undefined) throw new Error(`refused: ${JSON.stringify(result)}`);
    expect(result.message).toMatchObject({
      kind: 'template',
      template: {
        name: 'order_update',
        language: 'en_US',
        parameters: ['#4821', 'Mariana', '#4821', 'on Friday', 'R4821'],
      },
      text: 'Order #4821\n\nHi Mariana, your order #4821 has shipped. It arrives on Friday; Mariana, reply if anything is wrong.\n\nAcme Store',
    });
    const [call] = await harness.fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 1);
    // Templates are never sent as replies: WhatsApp shows no quoted bubble for them.
    expect(call?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: thread.customerId,
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: '#4821' }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Mariana' },
              { type: 'text', text: '#4821' },
              { type: 'text', text: 'on Friday' },
            ],
          },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'R4821' }] },
        ],
      },
    });
    expect(
      (await waitForMessage(harness.server, result.message.id, (m) => m.status === 'sent', 'sent')).externalId,
    ).toMatch(/^wamid\./);
  });

  test('a template without values is sent without components; a document header takes a link', async () => {
    await harness.server.outbound.syncTemplates();
    const templates = await storedTemplates();
    const thread = await seedThread(harness.server, { channel: 'whatsapp', lastInboundAt: Date.now() - 3 * DAY_MS });
    await mutate(harness, {
      type: 'message.send',
      clientId: clientId(),
      conversationId: thread.conversationId,
      content: { kind: 'template', templateId: templateNamed(templates, 'hello_world').id, parameters: [] },
      replyToMessageId: null,
      humanAgentTag: false,
    });
    await mutate(harness, {
      type: 'message.send',
      clientId: clientId(),
      conversationId: thread.conversationId,
      content: {
        kind: 'template',
        templateId: templateNamed(templates, 'shipping_label').id,
        parameters: ['https://acme.example/labels/R4821.pdf'],
      },
      replyToMessageId: null,
      humanAgentTag: false,
    });
    const calls = await harness.fake.waitForCalls({ path: MESSAGES_PATH.whatsapp }, 2);
    expect(calls[0]?.body).toMatchObject({ template: { name: 'hello_world', language: { code: 'en_US' } } });
    expect(calls[0]?.body).not.toHaveProperty('template.components');
    expect(calls[1]?.body).toMatchObject({
      template: {
        name: 'shipping_label',
        components: [
          {
            type: 'header',
            parameters: [{ type: 'document', document: { link: 'https://acme.example/labels/R4821.pdf' } }],
          },
        ],
      },
    });
  });

  test('refused before Meta: wrong number of values, a template not approved, an unknown template, a template on Messenger', async () => {
    await harness.server.outbound.syncTemplates();
    const templates = await storedTemplates();
    const thread = await seedThread(harness.server, { channel: 'whatsapp', lastInboundAt: Date.now() - 3 * DAY_MS });
    const messenger = await seedThread(harness.server, { channel: 'messenger' });
    const send = (conversationId: string, templateId: string, parameters: string[]): ReturnType<typeof mutate> =>
      mutate(harness, {
        type: 'message.send',
        clientId: clientId(),
        conversationId,
        content: { kind: 'template', templateId, parameters },
        replyToMessageId: null,
        humanAgentTag: false,
      });
    const wrongCount = await send(thread.conversationId, templateNamed(templates, 'order_update').id, ['only one']);
    expect(wrongCount).toMatchObject({
      ok: false,
      code: 'bad_request',
      reason: 'template_parameter_count',
      params: { expected: 5, given: 1 },
    });
    const pending = await send(thread.conversationId, templateNamed(templates, 'summer_sale').id, ['Sunday']);
    expect(pending).toMatchObject({
      ok: false,
      code: 'bad_request',
      reason: 'template_not_sendable',
      params: { name: 'summer_sale', status: 'PENDING' },
    });
    expect(await send(thread.conversationId, 'no-such-template', [])).toMatchObject({
      ok: false,
      code: 'not_found',
      reason: 'template_missing',
    });
    const notALink = await send(thread.conversationId, templateNamed(templates, 'shipping_label').id, ['label.pdf']);
    expect(notALink).toMatchObject({
      ok: false,
      code: 'bad_request',
      reason: 'template_header_link',
      params: { format: 'document' },
    });
    const onMessenger = await send(messenger.conversationId, templateNamed(templates, 'hello_world').id, []);
    expect(onMessenger).toMatchObject({
      ok: false,
      code: 'bad_request',
      reason: 'templates_whatsapp_only',
      params: { channel: 'messenger' },
    });
    expect(harness.fake.callsTo({ path: MESSAGES_PATH.whatsapp })).toEqual([]);
  });
});

describe('tokens', () => {
  test('no access token ever appears in what the socket carries, nor in a URL sent to Meta', async () => {
    await harness.server.outbound.syncTemplates();
    const templates = await storedTemplates();
    const thread = await seedThread(harness.server, { channel: 'whatsapp' });
    const closed = await seedThread(harness.server, { channel: 'whatsapp', lastInboundAt: Date.now() - 3 * DAY_MS });
    harness.fake.queue(
      { path: MESSAGES_PATH.whatsapp },
      await graphError({ code: 190, message: 'Error validating access token' }),
    );
    const failing = await mutate(harness, sendText(thread.conversationId, 'First'));
    const ok = await mutate(harness, sendText(thread.conversationId, 'Second'));
    await mutate(harness, sendText(closed.conversationId, 'Refused'));
    await mutate(harness, {
      type: 'message.send',
      clientId: clientId(),
      conversationId: closed.conversationId,
      content: { kind: 'template', templateId: templateNamed(templates, 'hello_world').id, parameters: [] },
      replyToMessageId: null,
      humanAgentTag: false,
    });
    if (!failing.ok || failing.message === undefined || !ok.ok || ok.message === undefined) throw new Error('refused');
    await waitForMessage(harness.server, failing.message.id, (m) => m.status === 'failed', 'failed');
    await waitForMessage(harness.server, ok.message.id, (m) => m.status === 'sent', 'sent');
    const page = await pullChanges(harness.socket, { cursor: 0, limit: 1000 });
    const everything = JSON.stringify([harness.received, page]);
    expect(everything).toContain('channelAccount');
    expect(everything).not.toMatch(/test-token-/);
    expect(everything).not.toMatch(/access_?token/i);
    for (const call of harness.fake.calls) {
      expect(call.auth.tokenInQuery).toBe(false);
      expect(JSON.stringify(call.query)).not.toMatch(/test-token-/);
    }
  });
});
