import { refusal, type Mutation, type MutationResult } from '@parley/protocol';
import type { ChangeSet, Trx } from '../../platform/store.js';

/**
 * Canned responses: replies kept for reuse, shared with everyone (owner_id null, kept by
 * supervisors and admins) or one user's own (seen and kept by that user alone). Who may
 * change which is checked in the one mutation path (modules/mutations/permissions.ts);
 * this is the change itself. A deleted one stays as a tombstone with a new seq, so that
 * devices that hold it drop it.
 */

type Save = Extract<Mutation, { type: 'cannedResponse.save' }>;
type Delete = Extract<Mutation, { type: 'cannedResponse.delete' }>;

/** Shortcuts are told apart without regard to case: `/Hello` and `/hello` are one. */
function sameShortcut(a: string, b: string): boolean {
  return a.toLocaleLowerCase('en') === b.toLocaleLowerCase('en');
}

/**
 * Whether `shortcut` is taken among what someone would see next to this response: a
 * personal one is seen with the shared ones and its owner's; a shared one by everyone,
 * next to every user's own.
 */
async function shortcutTaken(
  trx: Trx,
  input: { id: string; shortcut: string; ownerId: string | null },
): Promise<boolean> {
  let query = trx
    .selectFrom('canned_responses')
    .select('shortcut')
    .where('deleted', '=', 0)
    .where('id', '<>', input.id);
  const ownerId = input.ownerId;
  if (ownerId !== null) {
    query = query.where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', ownerId)]));
  }
  const rows = await query.execute();
  return rows.some((row) => sameShortcut(row.shortcut, input.shortcut));
}

/** Creates or edits one; its scope was checked (it cannot change) by the permission. */
export async function saveCannedResponse(
  trx: Trx,
  changes: ChangeSet,
  agentId: string,
  mutation: Save,
  now: number,
): Promise<MutationResult> {
  const existing = await trx
    .selectFrom('canned_responses')
    .selectAll()
    .where('id', '=', mutation.id)
    .executeTakeFirst();
  const ownerId = existing === undefined ? (mutation.shared ? null : agentId) : existing.owner_id;
  if (await shortcutTaken(trx, { id: mutation.id, shortcut: mutation.shortcut, ownerId })) {
    return refusal('conflict', 'canned_shortcut_taken', { shortcut: mutation.shortcut });
  }
  if (existing === undefined) {
    await trx
      .insertInto('canned_responses')
      .values({
        id: mutation.id,
        shortcut: mutation.shortcut,
        title: mutation.title,
        body: mutation.body,
        owner_id: ownerId,
        deleted: 0,
        created_at: now,
        updated_at: now,
        seq: await changes.nextSeq('cannedResponse', mutation.id),
      })
      .execute();
    return { ok: true };
  }
  if (existing.shortcut === mutation.shortcut && existing.title === mutation.title && existing.body === mutation.body) {
    return { ok: true };
  }
  await trx
    .updateTable('canned_responses')
    .set({
      shortcut: mutation.shortcut,
      title: mutation.title,
      body: mutation.body,
      updated_at: now,
      seq: await changes.nextSeq('cannedResponse', mutation.id),
    })
    .where('id', '=', mutation.id)
    .execute();
  return { ok: true };
}

/** Deletes one: kept as a tombstone (deleted, a new seq); deleting it again changes nothing. */
export async function deleteCannedResponse(
  trx: Trx,
  changes: ChangeSet,
  mutation: Delete,
  now: number,
): Promise<MutationResult> {
  const existing = await trx
    .selectFrom('canned_responses')
    .select(['id', 'deleted'])
    .where('id', '=', mutation.id)
    .executeTakeFirst();
  if (existing === undefined) return refusal('not_found', 'canned_response_missing');
  if (Number(existing.deleted) === 1) return { ok: true };
  await trx
    .updateTable('canned_responses')
    .set({ deleted: 1, updated_at: now, seq: await changes.nextSeq('cannedResponse', mutation.id) })
    .where('id', '=', mutation.id)
    .execute();
  return { ok: true };
}
