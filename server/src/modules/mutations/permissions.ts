import { refusal, type Failure, type Mutation } from '@parley/protocol';
import type { Store, Trx } from '../../platform/store.js';
import { canSee, canSeeMedia, principalOf, visibleConversation, type Principal } from '../access/index.js';

/**
 * Who may make which change: one function per mutation type, each reading what it needs
 * inside the mutation's transaction, for the socket and the REST API alike. A refusal is
 * recorded like any answer.
 *
 * | role       | may                                                                          |
 * |------------|------------------------------------------------------------------------------|
 * | agent      | reply, react, mark read or unread, label, change status, snooze in          |
 * |            | conversations assigned to them or unassigned (taking one); add notes        |
 * |            | anywhere they can see; write the note of a contact they see; keep their own |
 * |            | canned responses                                                             |
 * | supervisor | all of that in every conversation they see; assign, reassign, transfer;     |
 * |            | merge contacts; keep the shared canned responses                             |
 * | admin      | everything (but another user's own canned responses, which only they see)   |
 *
 * A conversation the user cannot see is answered as missing, so its existence is not told.
 */

/** The mutation's transaction, or the database for a check outside any write. */
type Reader = Store['db'] | Trx;

type Of<T extends Mutation['type']> = Extract<Mutation, { type: T }>;

function supervises(principal: Principal): boolean {
  return principal.role === 'supervisor' || principal.role === 'admin';
}

const missing = (): Failure => refusal('not_found', 'conversation_missing');

async function assigneeName(trx: Reader, assigneeId: string): Promise<string | null> {
  const row = await trx.selectFrom('agents').select('name').where('id', '=', assigneeId).executeTakeFirst();
  return row?.name ?? null;
}

/** The principal, or the refusal for a missing or deactivated account. */
async function who(trx: Reader, agentId: string): Promise<Principal | Failure> {
  const principal = await principalOf(trx, agentId);
  if (principal === null) return refusal('unauthorized', 'agent_missing');
  if (!principal.active) return refusal('unauthorized', 'account_deactivated');
  return principal;
}

function refused(value: Principal | Failure): value is Failure {
  return 'ok' in value;
}

/** Seeing the conversation; null when it does not exist (its command says so). */
async function seen(trx: Reader, principal: Principal, conversationId: string): Promise<Failure | null | 'absent'> {
  const exists = await trx.selectFrom('conversations').select('id').where('id', '=', conversationId).executeTakeFirst();
  if (exists === undefined) return 'absent';
  return (await canSee(trx, principal, conversationId)) ? null : missing();
}

/**
 * Working on a conversation for the customer: it is visible, and an agent's own or
 * unassigned. The refusal names who has it (params.assigneeName, null if they are gone).
 */
async function mayWorkOn(trx: Reader, agentId: string, conversationId: string): Promise<Failure | null> {
  const principal = await who(trx, agentId);
  if (refused(principal)) return principal;
  const visible = await seen(trx, principal, conversationId);
  if (visible === 'absent') return null;
  if (visible !== null) return visible;
  if (supervises(principal)) return null;
  const conversation = await trx
    .selectFrom('conversations')
    .select('assignee_id')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  if (conversation.assignee_id === null || conversation.assignee_id === agentId) return null;
  return refusal('forbidden', 'not_assignee', { assigneeName: await assigneeName(trx, conversation.assignee_id) });
}

async function conversationOfMessage(trx: Trx, messageId: string): Promise<string | null> {
  const row = await trx.selectFrom('messages').select('conversation_id').where('id', '=', messageId).executeTakeFirst();
  return row?.conversation_id ?? null;
}

/**
 * Besides working on the conversation: a file sent must be one the sender may see (their
 * upload, or a file of a conversation they see), or any id once known would send another
 * customer's file on, and bring it into sight.
 */
export async function maySend(trx: Trx, agentId: string, mutation: Of<'message.send'>): Promise<Failure | null> {
  const refused = await mayWorkOn(trx, agentId, mutation.conversationId);
  if (refused !== null || mutation.content.kind !== 'media') return refused;
  const media = await trx
    .selectFrom('media')
    .select(['id', 'source_kind', 'source_ref', 'channel_account_id'])
    .where('id', '=', mutation.content.mediaId)
    .executeTakeFirst();
  // A missing file is the send command's to refuse, in its own words.
  if (media === undefined) return null;
  const principal = await principalOf(trx, agentId);
  return principal !== null && (await canSeeMedia(trx, principal, media))
    ? null
    : refusal('not_found', 'media_missing');
}

export async function mayReact(trx: Trx, agentId: string, mutation: Of<'message.react'>): Promise<Failure | null> {
  const conversationId = await conversationOfMessage(trx, mutation.messageId);
  if (conversationId === null) {
    const principal = await who(trx, agentId);
    return refused(principal) ? principal : null;
  }
  const refusedWork = await mayWorkOn(trx, agentId, conversationId);
  // A message in a conversation the user cannot see is as missing as the conversation.
  return refusedWork?.reason === 'conversation_missing' ? refusal('not_found', 'message_missing') : refusedWork;
}

export function mayMarkRead(trx: Trx, agentId: string, mutation: Of<'conversation.markRead'>): Promise<Failure | null> {
  return mayWorkOn(trx, agentId, mutation.conversationId);
}

/**
 * A private note: anywhere the user can see. Everyone it mentions must be able to read it:
 * an active person who sees the conversation (mentioning oneself is allowed, and dropped).
 */
export async function mayWriteNote(trx: Trx, agentId: string, mutation: Of<'message.note'>): Promise<Failure | null> {
  const principal = await who(trx, agentId);
  if (refused(principal)) return principal;
  const visible = await seen(trx, principal, mutation.conversationId);
  if (visible === 'absent') return null;
  if (visible !== null) return visible;
  for (const mentioned of new Set(mutation.mentions)) {
    if (mentioned === agentId) continue;
    const target = await principalOf(trx, mentioned);
    if (
      target === null ||
      !target.active ||
      target.kind !== 'person' ||
      !(await canSee(trx, target, mutation.conversationId))
    ) {
      const name = target === null ? null : await assigneeName(trx, target.id);
      return refusal('bad_request', 'mention_unavailable', { agentId: mentioned, name });
    }
  }
  return null;
}

/**
 * An agent takes an unassigned conversation, or gives theirs back to the queue; a
 * supervisor gives any they see to anyone active who is a person. Two agents taking one
 * conversation at once: the second is told who won (already_taken).
 */
export async function mayAssign(
  trx: Trx,
  agentId: string,
  mutation: Of<'conversation.assign'>,
): Promise<Failure | null> {
  const principal = await who(trx, agentId);
  if (refused(principal)) return principal;
  const visible = await seen(trx, principal, mutation.conversationId);
  if (visible === 'absent') return null;
  if (visible !== null) return visible;
  if (mutation.assigneeId !== null && mutation.assigneeId !== agentId) {
    const target = await principalOf(trx, mutation.assigneeId);
    if (target === null || !target.active || target.kind !== 'person') {
      const name = target === null ? null : await assigneeName(trx, target.id);
      return refusal('bad_request', 'assignee_unavailable', { name });
    }
  }
  if (supervises(principal)) return null;
  const conversation = await trx
    .selectFrom('conversations')
    .select('assignee_id')
    .where('id', '=', mutation.conversationId)
    .executeTakeFirstOrThrow();
  const current = conversation.assignee_id;
  if (mutation.assigneeId === agentId) {
    if (current === null || current === agentId) return null;
    return refusal('conflict', 'already_taken', { assigneeName: await assigneeName(trx, current) });
  }
  if (mutation.assigneeId === null) {
    if (current === null || current === agentId) return null;
    return refusal('forbidden', 'not_assignee', { assigneeName: await assigneeName(trx, current) });
  }
  return refusal('forbidden', 'supervisor_only');
}

/** Moving a conversation to another team: supervisors and admins, into a team that exists. */
export async function mayTransfer(
  trx: Trx,
  agentId: string,
  mutation: Of<'conversation.transfer'>,
): Promise<Failure | null> {
  const principal = await who(trx, agentId);
  if (refused(principal)) return principal;
  const visible = await seen(trx, principal, mutation.conversationId);
  if (visible === 'absent') return null;
  if (visible !== null) return visible;
  if (!supervises(principal)) return refusal('forbidden', 'supervisor_only');
  const team = await trx.selectFrom('teams').select('id').where('id', '=', mutation.teamId).executeTakeFirst();
  return team === undefined ? refusal('not_found', 'team_missing') : null;
}

export function maySetStatus(
  trx: Trx,
  agentId: string,
  mutation: Of<'conversation.setStatus'>,
): Promise<Failure | null> {
  return mayWorkOn(trx, agentId, mutation.conversationId);
}

/** Snoozing is a change of status: the same rule. */
export function maySnooze(trx: Trx, agentId: string, mutation: Of<'conversation.snooze'>): Promise<Failure | null> {
  return mayWorkOn(trx, agentId, mutation.conversationId);
}

/** Marking unread is the other side of marking read: the same rule. */
export function mayMarkUnread(
  trx: Trx,
  agentId: string,
  mutation: Of<'conversation.markUnread'>,
): Promise<Failure | null> {
  return mayWorkOn(trx, agentId, mutation.conversationId);
}

export function mayLabel(trx: Trx, agentId: string, mutation: Of<'conversation.label'>): Promise<Failure | null> {
  return mayWorkOn(trx, agentId, mutation.conversationId);
}

/**
 * Merging two customers joins their histories: supervisors and admins only, and only
 * contacts they can see a conversation of (or none exists yet).
 */
export async function mayMerge(trx: Trx, agentId: string, mutation: Of<'contact.merge'>): Promise<Failure | null> {
  const principal = await who(trx, agentId);
  if (refused(principal)) return principal;
  if (!supervises(principal)) return refusal('forbidden', 'supervisor_only');
  if (principal.role === 'admin') return null;
  for (const contactId of [mutation.sourceContactId, mutation.targetContactId]) {
    const conversations = await trx
      .selectFrom('conversations')
      .select('id')
      .where('contact_id', '=', contactId)
      .execute();
    for (const conversation of conversations) {
      if (!(await canSee(trx, principal, conversation.id))) return refusal('not_found', 'contact_missing');
    }
  }
  return null;
}

/**
 * The note about a contact: anyone who sees one of its conversations (or one of the
 * contacts merged into it); an admin any contact. Another contact is answered as missing.
 */
export async function mayNoteContact(
  trx: Trx,
  agentId: string,
  mutation: Of<'contact.setNote'>,
): Promise<Failure | null> {
  const principal = await who(trx, agentId);
  if (refused(principal)) return principal;
  const contact = await trx.selectFrom('contacts').select('id').where('id', '=', mutation.contactId).executeTakeFirst();
  if (contact === undefined) return refusal('not_found', 'contact_missing');
  const seenOne = await trx
    .selectFrom('conversations')
    .select('conversations.id')
    .where((eb) =>
      eb.or([
        eb('conversations.contact_id', '=', mutation.contactId),
        eb(
          'conversations.contact_id',
          'in',
          eb.selectFrom('contacts').select('contacts.id').where('contacts.merged_into', '=', mutation.contactId),
        ),
      ]),
    )
    .where(visibleConversation(principal))
    .limit(1)
    .executeTakeFirst();
  return seenOne === undefined && principal.role !== 'admin' ? refusal('not_found', 'contact_missing') : null;
}

/**
 * The canned response this change is about, as the user may touch it: a personal one of
 * someone else is missing (nobody else sees it, admins included); a shared one is kept by
 * supervisors and admins only; and a response stays shared or personal.
 */
async function mayKeepCanned(trx: Trx, agentId: string, id: string, shared: boolean | null): Promise<Failure | null> {
  const principal = await who(trx, agentId);
  if (refused(principal)) return principal;
  const existing = await trx
    .selectFrom('canned_responses')
    .select(['owner_id', 'deleted'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (existing === undefined) {
    // A new one (a delete of a missing one is the command's to answer).
    if (shared === null) return null;
    return shared && !supervises(principal) ? refusal('forbidden', 'supervisor_only') : null;
  }
  if (existing.owner_id !== null && existing.owner_id !== agentId)
    return refusal('not_found', 'canned_response_missing');
  // A deleted one is gone for edits; deleting it again is answered as done.
  if (Number(existing.deleted) === 1 && shared !== null) return refusal('not_found', 'canned_response_missing');
  const isShared = existing.owner_id === null;
  if (shared !== null && shared !== isShared) return refusal('bad_request', 'canned_scope_fixed', { shared: isShared });
  return isShared && !supervises(principal) ? refusal('forbidden', 'supervisor_only') : null;
}

export function maySaveCanned(trx: Trx, agentId: string, mutation: Of<'cannedResponse.save'>): Promise<Failure | null> {
  return mayKeepCanned(trx, agentId, mutation.id, mutation.shared);
}

export function mayDeleteCanned(
  trx: Trx,
  agentId: string,
  mutation: Of<'cannedResponse.delete'>,
): Promise<Failure | null> {
  return mayKeepCanned(trx, agentId, mutation.id, null);
}

/**
 * Showing the customer that someone is typing (and, on WhatsApp, marking their message
 * read) is speaking to them: the same rule as a reply.
 */
export async function mayShowTyping(db: Reader, agentId: string, conversationId: string): Promise<boolean> {
  const exists = await db.selectFrom('conversations').select('id').where('id', '=', conversationId).executeTakeFirst();
  return exists !== undefined && (await mayWorkOn(db, agentId, conversationId)) === null;
}

/** The check for this mutation's type. */
export function permissionFor(trx: Trx, agentId: string, mutation: Mutation): Promise<Failure | null> {
  switch (mutation.type) {
    case 'message.send':
      return maySend(trx, agentId, mutation);
    case 'message.react':
      return mayReact(trx, agentId, mutation);
    case 'conversation.markRead':
      return mayMarkRead(trx, agentId, mutation);
    case 'message.note':
      return mayWriteNote(trx, agentId, mutation);
    case 'conversation.assign':
      return mayAssign(trx, agentId, mutation);
    case 'conversation.transfer':
      return mayTransfer(trx, agentId, mutation);
    case 'conversation.setStatus':
      return maySetStatus(trx, agentId, mutation);
    case 'conversation.label':
      return mayLabel(trx, agentId, mutation);
    case 'contact.merge':
      return mayMerge(trx, agentId, mutation);
    case 'conversation.snooze':
      return maySnooze(trx, agentId, mutation);
    case 'conversation.markUnread':
      return mayMarkUnread(trx, agentId, mutation);
    case 'contact.setNote':
      return mayNoteContact(trx, agentId, mutation);
    case 'cannedResponse.save':
      return maySaveCanned(trx, agentId, mutation);
    case 'cannedResponse.delete':
      return mayDeleteCanned(trx, agentId, mutation);
  }
}
