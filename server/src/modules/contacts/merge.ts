import { refusal, type Failure } from '@parley/protocol';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../platform/schema.js';
import type { ChangeSet, Store, Trx } from '../../platform/store.js';
import { touchDuplicatesOf } from './duplicates.js';
import { isPlaceholderName } from './names.js';

export type MergeResult = { ok: true } | Failure;

type ContactRow = Selectable<Database['contacts']>;
type ConversationRow = Selectable<Database['conversations']>;

/**
 * Merges `sourceContactId` into `targetContactId`, in one transaction: the source's
 * identities and conversations move to the target (a conversation on an account where the
 * target already has one pours its messages into that one), the source is marked
 * `merged_into` the target, and the target keeps the better name, phone and picture.
 * Every row it touches gets a new seq, so clients see the merge as ordinary changes.
 * Nothing is deleted: the emptied conversation stays, resolved, under the merged contact.
 */
export async function mergeContacts(
  store: Store,
  sourceContactId: string,
  targetContactId: string,
): Promise<MergeResult> {
  return store.write((trx, changes) => mergeContactsIn(trx, changes, sourceContactId, targetContactId));
}

/** The same, inside a transaction the caller owns (a mutation that records its result with it). */
export async function mergeContactsIn(
  trx: Trx,
  changes: ChangeSet,
  sourceContactId: string,
  targetContactId: string,
): Promise<MergeResult> {
  if (sourceContactId === targetContactId) {
    return refusal('bad_request', 'merge_self');
  }
  const [source, target] = await Promise.all([
    trx.selectFrom('contacts').selectAll().where('id', '=', sourceContactId).executeTakeFirst(),
    trx.selectFrom('contacts').selectAll().where('id', '=', targetContactId).executeTakeFirst(),
  ]);
  if (source === undefined) return refusal('not_found', 'contact_missing', { role: 'source' });
  if (target === undefined) return refusal('not_found', 'contact_missing', { role: 'target' });
  if (source.merged_into !== null) {
    return refusal('conflict', 'merge_source_merged', { name: source.name });
  }
  if (target.merged_into !== null) {
    return refusal('conflict', 'merge_target_merged', { name: target.name });
  }

  await trx
    .updateTable('contact_identities')
    .set({ contact_id: target.id })
    .where('contact_id', '=', source.id)
    .execute();

  const conversations = await trx
    .selectFrom('conversations')
    .selectAll()
    .where('contact_id', 'in', [source.id, target.id])
    .execute();
  const targetByAccount = new Map(
    conversations.filter((c) => c.contact_id === target.id).map((c) => [c.channel_account_id, c]),
  );
  for (const conversation of conversations.filter((c) => c.contact_id === source.id)) {
    const into = targetByAccount.get(conversation.channel_account_id);
    if (into === undefined) {
      await trx
        .updateTable('conversations')
        .set({ contact_id: target.id, seq: await changes.nextSeq('conversation', conversation.id) })
        .where('id', '=', conversation.id)
        .execute();
    } else {
      await pourConversation(trx, changes, conversation, into);
    }
  }

  // Contacts merged into the source earlier now point at the target: no chains to follow.
  const mergedEarlier = await trx.selectFrom('contacts').select('id').where('merged_into', '=', source.id).execute();
  for (const earlier of mergedEarlier) {
    await trx
      .updateTable('contacts')
      .set({ merged_into: target.id, seq: await changes.nextSeq('contact', earlier.id) })
      .where('id', '=', earlier.id)
      .execute();
  }

  await trx
    .updateTable('contacts')
    .set({ merged_into: target.id, seq: await changes.nextSeq('contact', source.id) })
    .where('id', '=', source.id)
    .execute();
  const kept = keptFields(target, source);
  await trx
    .updateTable('contacts')
    .set({ ...kept, seq: await changes.nextSeq('contact', target.id) })
    .where('id', '=', target.id)
    .execute();

  // Contacts that listed the source as a possible duplicate must learn it is gone, and
  // those sharing the target's (possibly new) number that it is one.
  for (const phone of new Set([source.phone, kept.phone])) await touchDuplicatesOf(trx, changes, target.id, phone);
  return { ok: true };
}

/** The target's name, phone and picture, unless the source has one where the target has none; both notes. */
function keptFields(
  target: ContactRow,
  source: ContactRow,
): Pick<ContactRow, 'name' | 'phone' | 'avatar_media_id' | 'profile_fetched_at' | 'note'> {
  const name = isPlaceholderName(target.name) && !isPlaceholderName(source.name) ? source.name : target.name;
  // What agents wrote about either is kept: both notes, the target's first.
  const note = [target.note.trim(), source.note.trim()].filter((text) => text !== '').join('\n\n');
  return {
    name,
    note: source.note.trim() === '' ? target.note : note,
    phone: target.phone ?? source.phone,
    avatar_media_id: target.avatar_media_id ?? source.avatar_media_id,
    profile_fetched_at: target.profile_fetched_at ?? source.profile_fetched_at,
  };
}

const LabelsSchema = z.array(z.string());

function labelsOf(conversation: ConversationRow): string[] {
  const parsed = LabelsSchema.safeParse(JSON.parse(conversation.labels));
  return parsed.success ? parsed.data : [];
}

const STATUS_RANK: Record<string, number> = { open: 3, pending: 2, snoozed: 1, resolved: 0 };

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b === null ? null : Number(b);
  if (b === null) return Number(a);
  return Math.max(Number(a), Number(b));
}

/**
 * Moves every message of `from` into `into` (the same business account, so the same
 * thread for the customer), then recomputes `into`'s summary from both. `from` stays,
 * empty and resolved, so no client is left holding a conversation the server no longer has.
 */
async function pourConversation(
  trx: Trx,
  changes: ChangeSet,
  from: ConversationRow,
  into: ConversationRow,
): Promise<void> {
  const messages = await trx
    .selectFrom('messages')
    .select('id')
    .where('conversation_id', '=', from.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const message of messages) {
    await trx
      .updateTable('messages')
      .set({ conversation_id: into.id, seq: await changes.nextSeq('message', message.id) })
      .where('id', '=', message.id)
      .execute();
  }
  // Sends still queued for the emptied conversation belong to the one their message is in now.
  await trx
    .updateTable('outbound_jobs')
    .set({ conversation_id: into.id })
    .where('conversation_id', '=', from.id)
    .execute();

  const fromIsLater = Number(from.last_message_at) > Number(into.last_message_at);
  const status = (STATUS_RANK[from.status] ?? 0) > (STATUS_RANK[into.status] ?? 0) ? from.status : into.status;
  await trx
    .updateTable('conversations')
    .set({
      status,
      // Still snoozed: until the time of the one that was.
      snoozed_until: status !== 'snoozed' ? null : into.status === 'snoozed' ? into.snoozed_until : from.snoozed_until,
      assignee_id: into.assignee_id ?? from.assignee_id,
      team_id: into.team_id ?? from.team_id,
      labels: JSON.stringify([...new Set([...labelsOf(into), ...labelsOf(from)])]),
      last_message_at: Math.max(Number(from.last_message_at), Number(into.last_message_at)),
      last_message_preview: fromIsLater ? from.last_message_preview : into.last_message_preview,
      preview: fromIsLater ? from.preview : into.preview,
      // Both windows were computed from each thread's latest inbound message: the later one wins.
      last_inbound_at: maxOrNull(from.last_inbound_at, into.last_inbound_at),
      window_open_until: maxOrNull(from.window_open_until, into.window_open_until),
      human_agent_until: maxOrNull(from.human_agent_until, into.human_agent_until),
      unread_count: Number(from.unread_count) + Number(into.unread_count),
      created_at: Math.min(Number(from.created_at), Number(into.created_at)),
      seq: await changes.nextSeq('conversation', into.id),
    })
    .where('id', '=', into.id)
    .execute();
  await trx
    .updateTable('conversations')
    .set({
      status: 'resolved',
      snoozed_until: null,
      unread_count: 0,
      last_message_preview: '',
      preview: null,
      seq: await changes.nextSeq('conversation', from.id),
    })
    .where('id', '=', from.id)
    .execute();
}
