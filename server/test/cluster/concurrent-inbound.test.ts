import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import { deliver, whatsappText } from '../helpers.js';
import { twoNodesPerTest } from './two-nodes.js';

/**
 * Customers' messages are stored beside each other on PostgreSQL (concurrent writes, see
 * `Store.write`; a new customer's first message runs alone): two nodes storing the same
 * customers' messages at the same moment lose no update of their conversation, and store
 * each message once.
 */

const twoNodes = twoNodesPerTest();

function message(from: string, id: string, text: string, at: number): Record<string, unknown> {
  return whatsappText({ from, name: `Customer ${from}`, id, text, timestampSeconds: at });
}

test('customers writing six messages at once through both nodes: every message once and counted once, the latest as the preview', async () => {
  const [a, b] = await twoNodes();
  const at = Math.floor(Date.now() / 1000);
  const customers = Array.from({ length: 4 }, (_, i) => `4477008${String(100 + i)}${String(Date.now()).slice(-3)}`);
  // Each customer's first message makes their contact and conversation (that runs alone).
  for (const from of customers) await deliver(a, 'whatsapp', message(from, `wamid.C${randomUUID()}`, 'm0', at));
  // Then six more each, at once, spread over both nodes, and the first of them delivered to
  // both (Meta retrying on another node).
  const deliveries = customers.flatMap((from) =>
    [1, 2, 3, 4, 5, 6].map((n) => ({
      node: n % 2 === 0 ? a : b,
      from,
      id: `wamid.C${randomUUID()}`,
      text: `m${n}`,
      n,
    })),
  );
  await Promise.all([
    ...deliveries.map((d) => deliver(d.node, 'whatsapp', message(d.from, d.id, d.text, at + d.n))),
    ...deliveries
      .filter((d) => d.n === 1)
      .map((d) => deliver(d.node === a ? b : a, 'whatsapp', message(d.from, d.id, d.text, at + d.n))),
  ]);

  const db = a.store.db;
  for (const from of customers) {
    const contacts = await db
      .selectFrom('contact_identities')
      .select('contact_id')
      .where('channel', '=', 'whatsapp')
      .where('external_id', '=', from)
      .execute();
    const contactId = contacts[0]?.contact_id ?? '';
    const conversations = await db
      .selectFrom('conversations')
      .select(['id', 'unread_count', 'last_message_preview', 'last_message_at'])
      .where('contact_id', '=', contactId)
      .execute();
    const conversation = conversations[0];
    const messages = await db
      .selectFrom('messages')
      .select(['text'])
      .where('conversation_id', '=', conversation?.id ?? '')
      .execute();
    expect(messages.map((row) => row.text).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    // Each message counted once as unread, and the latest is the preview, whatever order they were stored in.
    expect(Number(conversation?.unread_count)).toBe(7);
    expect(Number(conversation?.last_message_at)).toBe((at + 6) * 1000);
    expect(conversation?.last_message_preview).toBe('m6');
  }
  // No provisional seq was committed.
  for (const table of ['messages', 'conversations', 'contacts'] as const) {
    expect(await db.selectFrom(table).select('id').where('seq', '<', 0).execute()).toEqual([]);
  }
});
