import type { Contact, Conversation, LiveBatch } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { touchDuplicatesOf } from '../src/modules/contacts/duplicates.js';
import { mergeContacts } from '../src/modules/contacts/merge.js';
import { newId } from '../src/platform/ids.js';
import {
  PAGE_ID,
  connectReady,
  deliver,
  messagingText,
  signIn,
  startTestServer,
  whatsappText,
  type BatchRecorder,
  type TestServer,
} from './helpers.js';

/** Nothing in these tests may reach Meta: profile fetches go to a closed local port. */
const LOCAL_GRAPH = { baseUrl: 'http://127.0.0.1:9', version: 'v21.0' };
const T0 = 1_749_416_383;

let server: TestServer;
let batches: BatchRecorder;

beforeEach(async () => {
  server = await startTestServer({ graph: LOCAL_GRAPH });
  const { token } = await signIn(server);
  ({ batches } = await connectReady(server, token));
});

afterEach(async () => {
  await server.cleanup();
});

async function whatsappFrom(waId: string, name: string, id: string, seconds: number, text = 'hello'): Promise<void> {
  await deliver(server, 'whatsapp', whatsappText({ from: waId, name, id, text, timestampSeconds: seconds }));
}

async function messengerFrom(psid: string, mid: string, seconds: number): Promise<void> {
  await deliver(
    server,
    'messenger',
    messagingText({
      object: 'page',
      accountId: PAGE_ID,
      senderId: psid,
      mid,
      text: 'from messenger',
      timestampMs: seconds * 1000,
    }),
  );
}

async function contactOf(externalId: string) {
  const row = await server.store.db
    .selectFrom('contact_identities')
    .innerJoin('contacts', 'contacts.id', 'contact_identities.contact_id')
    .selectAll('contacts')
    .where('contact_identities.external_id', '=', externalId)
    .executeTakeFirstOrThrow();
  return row;
}

async function contact(id: string) {
  return server.store.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function conversationsOf(contactId: string) {
  return server.store.db.selectFrom('conversations').selectAll().where('contact_id', '=', contactId).execute();
}

function contactIn(batch: LiveBatch, id: string): Contact | undefined {
  const change = batch.changes.find((c) => c.entity === 'contact' && c.data.id === id);
  return change?.entity === 'contact' ? change.data : undefined;
}

function conversationIn(batch: LiveBatch, id: string): Conversation | undefined {
  const change = batch.changes.find((c) => c.entity === 'conversation' && c.data.id === id);
  return change?.entity === 'conversation' ? change.data : undefined;
}

describe('mergeContacts', () => {
  test('moves identities and conversations to the target, marks the source merged, and syncs every touched row', async () => {
    await whatsappFrom('16505551234', 'Sheena Nelson', 'wamid.A1', T0);
    await messengerFrom('1254459154682919', 'm_B1', T0 + 60);
    const sheena = await contactOf('16505551234');
    const stranger = await contactOf('1254459154682919');
    const [messengerConversation] = await conversationsOf(stranger.id);
    const head = await server.store.head();

    expect(await mergeContacts(server.store, stranger.id, sheena.id)).toEqual({ ok: true });

    const identities = await server.store.db
      .selectFrom('contact_identities')
      .select(['channel', 'kind', 'external_id', 'contact_id'])
      .orderBy('channel')
      .execute();
    expect(identities).toEqual([
      { channel: 'messenger', kind: 'psid', external_id: '1254459154682919', contact_id: sheena.id },
      { channel: 'whatsapp', kind: 'wa_id', external_id: '16505551234', contact_id: sheena.id },
    ]);
    expect((await contact(stranger.id)).merged_into).toBe(sheena.id);
    expect((await conversationsOf(sheena.id)).map((c) => c.channel).sort()).toEqual(['messenger', 'whatsapp']);
    expect(await conversationsOf(stranger.id)).toEqual([]);
    expect((await contact(sheena.id)).name).toBe('Sheena Nelson');

    const batch = await batches.waitFor((b) => b.after >= head && contactIn(b, stranger.id) !== undefined, 'the merge');
    expect(contactIn(batch, stranger.id)?.mergedInto).toBe(sheena.id);
    expect(contactIn(batch, sheena.id)?.identities).toHaveLength(2);
    expect(conversationIn(batch, messengerConversation?.id ?? '')?.contactId).toBe(sheena.id);
    for (const change of batch.changes) expect(change.data.seq).toBeGreaterThan(head);

    // The customer writes again on Messenger: the thread is Sheena's now.
    await messengerFrom('1254459154682919', 'm_B2', T0 + 120);
    expect((await contactOf('1254459154682919')).id).toBe(sheena.id);
    expect(await conversationsOf(stranger.id)).toEqual([]);
  });

  test('keeps both notes about the customer, the target’s first', async () => {
    await whatsappFrom('16505551234', 'Sheena Nelson', 'wamid.A1', T0);
    await messengerFrom('1254459154682919', 'm_B1', T0 + 60);
    const sheena = await contactOf('16505551234');
    const stranger = await contactOf('1254459154682919');
    await server.store.db.updateTable('contacts').set({ note: 'VIP.' }).where('id', '=', sheena.id).execute();
    await server.store.db
      .updateTable('contacts')
      .set({ note: 'Asked about returns.' })
      .where('id', '=', stranger.id)
      .execute();
    expect(await mergeContacts(server.store, stranger.id, sheena.id)).toEqual({ ok: true });
    expect((await contact(sheena.id)).note).toBe('VIP.\n\nAsked about returns.');
  });

  test('the target keeps the better name and gains a phone it lacked', async () => {
    await messengerFrom('1254459154682919', 'm_B1', T0);
    await whatsappFrom('16505551234', 'Sheena Nelson', 'wamid.A1', T0 + 1);
    const stranger = await contactOf('1254459154682919');
    const sheena = await contactOf('16505551234');
    expect(stranger.name).toMatch(/^Messenger customer/);

    expect(await mergeContacts(server.store, sheena.id, stranger.id)).toEqual({ ok: true });
    const kept = await contact(stranger.id);
    expect(kept.name).toBe('Sheena Nelson');
    expect(kept.phone).toBe('16505551234');
  });

  test('two threads on the same account become one: messages moved, summary recomputed, the other emptied', async () => {
    await whatsappFrom('111', 'Ana Silva', 'wamid.T1', T0, 'first');
    await whatsappFrom('111', 'Ana Silva', 'wamid.T2', T0 + 10, 'second');
    await whatsappFrom('222', 'Ana (work phone)', 'wamid.S1', T0 + 20, 'the latest, from the other number');
    const target = await contactOf('111');
    const source = await contactOf('222');
    const [into] = await conversationsOf(target.id);
    const [from] = await conversationsOf(source.id);
    if (into === undefined || from === undefined) throw new Error('both contacts should have a conversation');
    const moved = await server.store.db
      .selectFrom('messages')
      .select(['id', 'seq'])
      .where('conversation_id', '=', from.id)
      .executeTakeFirstOrThrow();
    const head = await server.store.head();

    expect(await mergeContacts(server.store, source.id, target.id)).toEqual({ ok: true });

    const messages = await server.store.db
      .selectFrom('messages')
      .select(['external_id', 'conversation_id', 'seq'])
      .orderBy('created_at')
      .execute();
    expect(messages.map((m) => [m.external_id, m.conversation_id])).toEqual([
      ['wamid.T1', into.id],
      ['wamid.T2', into.id],
      ['wamid.S1', into.id],
    ]);
    const merged = await server.store.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', into.id)
      .executeTakeFirstOrThrow();
    expect(Number(merged.last_message_at)).toBe((T0 + 20) * 1000);
    expect(merged.last_message_preview).toBe('the latest, from the other number');
    expect(Number(merged.last_inbound_at)).toBe((T0 + 20) * 1000);
    expect(Number(merged.window_open_until)).toBe((T0 + 20) * 1000 + 24 * 60 * 60 * 1000);
    expect(Number(merged.unread_count)).toBe(3);
    const emptied = await server.store.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', from.id)
      .executeTakeFirstOrThrow();
    expect(emptied).toMatchObject({ status: 'resolved', unread_count: 0, last_message_preview: '' });
    // The first contact's name stays; the source keeps its own row, marked merged.
    expect((await contact(target.id)).name).toBe('Ana Silva');
    expect((await contact(source.id)).merged_into).toBe(target.id);

    const batch = await batches.waitFor(
      (b) =>
        b.changes.some((c) => c.entity === 'message' && c.data.id === moved.id && c.data.conversationId === into.id),
      'the moved message',
    );
    expect(conversationIn(batch, into.id)?.unreadCount).toBe(3);
    expect(conversationIn(batch, from.id)?.status).toBe('resolved');
    expect(Number(moved.seq)).toBeLessThanOrEqual(head);
    expect(batch.changes.find((c) => c.data.id === moved.id)?.data.seq).toBeGreaterThan(head);
  });

  test('a contact merged earlier into the source now points at the target', async () => {
    await whatsappFrom('111', 'One', 'wamid.1', T0);
    await whatsappFrom('222', 'Two', 'wamid.2', T0 + 1);
    await whatsappFrom('333', 'Three', 'wamid.3', T0 + 2);
    const [one, two, three] = [await contactOf('111'), await contactOf('222'), await contactOf('333')];
    expect(await mergeContacts(server.store, one.id, two.id)).toEqual({ ok: true });
    expect(await mergeContacts(server.store, two.id, three.id)).toEqual({ ok: true });
    expect((await contact(one.id)).merged_into).toBe(three.id);
    expect((await contact(two.id)).merged_into).toBe(three.id);
    const identities = await server.store.db.selectFrom('contact_identities').select('contact_id').distinct().execute();
    expect(identities).toEqual([{ contact_id: three.id }]);
  });

  test('refuses, with a reason and without writing, a merge into itself, into or from a merged contact, or of unknown contacts', async () => {
    await whatsappFrom('111', 'One', 'wamid.1', T0);
    await whatsappFrom('222', 'Two', 'wamid.2', T0 + 1);
    await whatsappFrom('333', 'Three', 'wamid.3', T0 + 2);
    const [one, two, three] = [await contactOf('111'), await contactOf('222'), await contactOf('333')];
    expect(await mergeContacts(server.store, one.id, two.id)).toEqual({ ok: true });
    const head = await server.store.head();

    const refusals = [
      [three.id, three.id, 'bad_request', { reason: 'merge_self' }],
      [three.id, one.id, 'conflict', { reason: 'merge_target_merged', params: { name: 'One' } }],
      [one.id, three.id, 'conflict', { reason: 'merge_source_merged', params: { name: 'One' } }],
      ['no-such-contact', three.id, 'not_found', { reason: 'contact_missing', params: { role: 'source' } }],
      [three.id, 'no-such-contact', 'not_found', { reason: 'contact_missing', params: { role: 'target' } }],
    ] as const;
    for (const [source, target, code, why] of refusals) {
      const result = await mergeContacts(server.store, source, target);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.code).toBe(code);
      expect(result).toMatchObject(why);
    }
    expect(await server.store.head()).toBe(head);
    expect((await contact(three.id)).merged_into).toBeNull();
  });
});

describe('possible duplicates', () => {
  async function insertContact(name: string, phone: string | null): Promise<string> {
    const id = newId();
    await server.store.write(async (trx, changes) => {
      await trx
        .insertInto('contacts')
        .values({
          id,
          name,
          avatar_media_id: null,
          phone,
          merged_into: null,
          profile_fetched_at: null,
          created_at: Date.now(),
          seq: await changes.nextSeq('contact', id),
        })
        .execute();
      // With a conversation in the agent's team: a contact is sent to those who see one of its conversations.
      const [account, team] = await Promise.all([
        trx.selectFrom('channel_accounts').select('id').where('channel', '=', 'whatsapp').executeTakeFirstOrThrow(),
        trx.selectFrom('teams').select('id').where('name', '=', 'Everyone').executeTakeFirstOrThrow(),
      ]);
      const conversationId = newId();
      await trx
        .insertInto('conversations')
        .values({
          id: conversationId,
          channel: 'whatsapp',
          channel_account_id: account.id,
          contact_id: id,
          status: 'open',
          assignee_id: null,
          team_id: team.id,
          labels: '[]',
          last_message_at: Date.now(),
          last_message_preview: '',
          preview: null,
          last_inbound_at: null,
          window_open_until: null,
          human_agent_until: null,
          unread_count: 0,
          created_at: Date.now(),
          seq: await changes.nextSeq('conversation', conversationId),
          waiting_since: null,
          first_response_at: null,
          resolved_at: null,
          assigned_at: null,
        })
        .execute();
    });
    return id;
  }

  test('touchDuplicatesOf makes both contacts sharing a number sync, each listing the other; a merge clears it', async () => {
    const first = await insertContact('Sheena Nelson', '16505551234');
    const second = await insertContact('Sheena (username)', null);
    const third = await insertContact('Someone else', '33612345678');
    const head = await server.store.head();

    // What inbound does when a contact learns its number: set it, then touch its duplicates.
    const others = await server.store.write(async (trx, changes) => {
      await trx
        .updateTable('contacts')
        .set({ phone: '16505551234', seq: await changes.nextSeq('contact', second) })
        .where('id', '=', second)
        .execute();
      return touchDuplicatesOf(trx, changes, second, '16505551234');
    });
    expect(others).toEqual([first]);

    const batch = await batches.waitFor((b) => b.after >= head && contactIn(b, first) !== undefined, 'the duplicate');
    expect(contactIn(batch, first)?.possibleDuplicates).toEqual([second]);
    expect(contactIn(batch, second)?.possibleDuplicates).toEqual([first]);
    expect(contactIn(batch, third)).toBeUndefined();

    const beforeMerge = await server.store.head();
    expect(await mergeContacts(server.store, second, first)).toEqual({ ok: true });
    const merged = await batches.waitFor(
      (b) => b.after >= beforeMerge && contactIn(b, second) !== undefined,
      'the merge',
    );
    expect(contactIn(merged, first)?.possibleDuplicates).toEqual([]);
    expect(contactIn(merged, second)?.mergedInto).toBe(first);
  });

  test('touchDuplicatesOf stamps nothing for a number no one else has', async () => {
    const only = await insertContact('Lonely', '4915112345678');
    const head = await server.store.head();
    const others = await server.store.write((trx, changes) => touchDuplicatesOf(trx, changes, only, '4915112345678'));
    expect(others).toEqual([]);
    expect(await server.store.head()).toBe(head);
  });
});
