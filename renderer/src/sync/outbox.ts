import type { ErrorCode, Message, Mutation, MutationResult } from '@parley/protocol';
import type Dexie from 'dexie';
import type { OutboxRollback, OutboxRow, ParleyDb } from '../data/db.js';
import { optimisticMessage } from '../data/optimistic.js';
import { withQuotaRecovery } from '../data/quota.js';
import { putMessages } from './apply.js';

/** Sends one mutation and answers with the server's result (the engine's `mutate`). */
export type SendMutation = (mutation: Mutation) => Promise<MutationResult>;

export { optimisticMessageId } from '../data/optimistic.js';

/**
 * Answers the server records for a client id: resending the same id gets the same refusal
 * again, so these fail the row. Anything else (`internal`: offline, a timeout, a reply we
 * could not read; a session or protocol problem) may change on retry and keeps it queued.
 */
const REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'window_closed',
  'human_agent_required',
  'forbidden',
  'not_found',
  'conflict',
  'media_invalid',
  'bad_request',
  'too_large',
  'send_failed',
]);

export type Decision = { kind: 'done' } | { kind: 'failed' } | { kind: 'retry'; delayMs: number };

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

/** 1 s, 2 s, 4 s… up to a minute, with jitter so clients coming back do not retry in step. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (0.5 + random() * 0.5));
}

/** What to do with a row after the server's answer to its `attempts`-th try. */
export function decide(result: MutationResult, attempts: number, random: () => number = Math.random): Decision {
  if (result.ok) return { kind: 'done' };
  if (REFUSALS.has(result.code)) return { kind: 'failed' };
  return { kind: 'retry', delayMs: backoffMs(attempts, random) };
}

function laneOf(mutation: Mutation, message: Message | undefined): { lane: string; conversationId: string | null } {
  switch (mutation.type) {
    case 'contact.merge':
      return { lane: `contact:${mutation.sourceContactId}`, conversationId: null };
    case 'contact.setNote':
      return { lane: `contact:${mutation.contactId}`, conversationId: null };
    case 'cannedResponse.save':
    case 'cannedResponse.delete':
      return { lane: `canned:${mutation.id}`, conversationId: null };
    case 'message.react': {
      const conversationId = message?.conversationId ?? null;
      return { lane: conversationId ?? `message:${mutation.messageId}`, conversationId };
    }
    default:
      return { lane: mutation.conversationId, conversationId: mutation.conversationId };
  }
}

/** The tables a mutation's optimistic effect (and its undoing) writes, with the outbox. */
function outboxTables(db: ParleyDb, mutation: Mutation): Dexie.Table[] {
  const tables: Dexie.Table[] = [db.outbox, db.messages, db.conversations];
  if (mutation.type === 'contact.setNote') tables.push(db.contacts);
  if (mutation.type === 'cannedResponse.save' || mutation.type === 'cannedResponse.delete') {
    tables.push(db.cannedResponses);
  }
  return tables;
}

export type EnqueueOptions = { agentId?: string | null; now?: number };

/**
 * Writes a mutation to the outbox and applies its optimistic effect, in one transaction:
 * a crash leaves both or neither. The drainer sends it when the socket is online.
 */
export async function enqueue(db: ParleyDb, mutation: Mutation, options: EnqueueOptions = {}): Promise<OutboxRow> {
  // Out of space, old cached messages make room: what the agent wrote must be kept.
  return withQuotaRecovery(db, () => enqueueIn(db, mutation, options));
}

/** `enqueue` without the quota retry, for callers already inside a transaction. */
async function enqueueIn(db: ParleyDb, mutation: Mutation, options: EnqueueOptions): Promise<OutboxRow> {
  const now = options.now ?? Date.now();
  return db.transaction('rw', outboxTables(db, mutation), async () => {
    const reacted = mutation.type === 'message.react' ? await db.messages.get(mutation.messageId) : undefined;
    const { lane, conversationId } = laneOf(mutation, reacted);
    const last = await db.outbox.orderBy('order').last();
    let rollback: OutboxRollback = { kind: 'none' };

    const message = optimisticMessage(mutation, options.agentId ?? null, now);
    if (message !== null) {
      await db.messages.put(message);
      rollback = { kind: 'removeMessage', messageId: message.id };
    } else if (mutation.type === 'message.react' && reacted !== undefined) {
      rollback = { kind: 'message', messageId: reacted.id, seq: reacted.seq, reactions: reacted.reactions };
      const others = reacted.reactions.filter((reaction) => reaction.from !== 'agent');
      const reactions =
        mutation.emoji === ''
          ? others
          : [...others, { emoji: mutation.emoji, from: 'agent' as const, agentId: options.agentId ?? null, at: now }];
      await db.messages.update(reacted.id, { reactions });
    } else if (mutation.type === 'contact.setNote') {
      const contact = await db.contacts.get(mutation.contactId);
      if (contact !== undefined) {
        rollback = { kind: 'contact', contactId: contact.id, seq: contact.seq, fields: { note: contact.note } };
        await db.contacts.update(contact.id, { note: mutation.note });
      }
    } else if (mutation.type === 'cannedResponse.save' || mutation.type === 'cannedResponse.delete') {
      const previous = (await db.cannedResponses.get(mutation.id)) ?? null;
      rollback = { kind: 'cannedResponse', id: mutation.id, previous };
      if (mutation.type === 'cannedResponse.delete') {
        if (previous !== null) await db.cannedResponses.update(mutation.id, { deleted: true });
      } else {
        await db.cannedResponses.put({
          id: mutation.id,
          shortcut: mutation.shortcut,
          title: mutation.title,
          body: mutation.body,
          ownerId: mutation.shared ? null : (options.agentId ?? previous?.ownerId ?? null),
          deleted: false,
          updatedAt: now,
          // Until the server's version arrives, which always has a higher seq.
          seq: previous?.seq ?? 0,
        });
      }
    } else if (conversationId !== null && mutation.type !== 'message.react' && mutation.type !== 'contact.merge') {
      const conversation = await db.conversations.get(conversationId);
      if (conversation !== undefined) {
        const seq = conversation.seq;
        switch (mutation.type) {
          case 'conversation.markRead':
            rollback = { kind: 'conversation', conversationId, seq, fields: { unreadCount: conversation.unreadCount } };
            await db.conversations.update(conversationId, { unreadCount: 0 });
            break;
          case 'conversation.assign':
            rollback = { kind: 'conversation', conversationId, seq, fields: { assigneeId: conversation.assigneeId } };
            await db.conversations.update(conversationId, { assigneeId: mutation.assigneeId });
            break;
          case 'conversation.setStatus':
            rollback = {
              kind: 'conversation',
              conversationId,
              seq,
              fields: { status: conversation.status, snoozedUntil: conversation.snoozedUntil },
            };
            await db.conversations.update(conversationId, { status: mutation.status, snoozedUntil: null });
            break;
          case 'conversation.snooze':
            rollback = {
              kind: 'conversation',
              conversationId,
              seq,
              fields: { status: conversation.status, snoozedUntil: conversation.snoozedUntil },
            };
            await db.conversations.update(conversationId, { status: 'snoozed', snoozedUntil: mutation.until });
            break;
          case 'conversation.markUnread':
            rollback = { kind: 'conversation', conversationId, seq, fields: { unreadCount: conversation.unreadCount } };
            await db.conversations.update(conversationId, { unreadCount: Math.max(1, conversation.unreadCount) });
            break;
          case 'conversation.label': {
            rollback = { kind: 'conversation', conversationId, seq, fields: { labels: conversation.labels } };
            const others = conversation.labels.filter((label) => label !== mutation.label);
            await db.conversations.update(conversationId, {
              labels: mutation.action === 'add' ? [...others, mutation.label] : others,
            });
            break;
          }
        }
      }
    }

    const row: OutboxRow = {
      clientId: mutation.clientId,
      lane,
      conversationId,
      order: (last?.order ?? 0) + 1,
      createdAt: now,
      mutation,
      state: 'queued',
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
      rollback,
    };
    await db.outbox.add(row);
    return row;
  });
}

/**
 * Puts back what the optimistic effect changed. A conversation or message the server has
 * changed since (a higher seq) already shows the truth and is left alone.
 */
async function rollBack(db: ParleyDb, rollback: OutboxRollback): Promise<void> {
  switch (rollback.kind) {
    case 'none':
      return;
    case 'removeMessage': {
      const message = await db.messages.get(rollback.messageId);
      if (message !== undefined && message.seq === 0) await db.messages.delete(rollback.messageId);
      return;
    }
    case 'message': {
      const message = await db.messages.get(rollback.messageId);
      if (message !== undefined && message.seq === rollback.seq) {
        await db.messages.update(rollback.messageId, { reactions: rollback.reactions });
      }
      return;
    }
    case 'conversation': {
      const conversation = await db.conversations.get(rollback.conversationId);
      if (conversation !== undefined && conversation.seq === rollback.seq) {
        await db.conversations.update(rollback.conversationId, rollback.fields);
      }
      return;
    }
    case 'contact': {
      const contact = await db.contacts.get(rollback.contactId);
      if (contact !== undefined && contact.seq === rollback.seq)
        await db.contacts.update(rollback.contactId, rollback.fields);
      return;
    }
    case 'cannedResponse': {
      const current = await db.cannedResponses.get(rollback.id);
      // The server's version (a higher seq) already shows the truth.
      if (current !== undefined && current.seq > (rollback.previous?.seq ?? 0)) return;
      if (rollback.previous === null) await db.cannedResponses.delete(rollback.id);
      else await db.cannedResponses.put(rollback.previous);
      return;
    }
  }
}

/** Records the server's answer to one send of `row`. Returns when to try it again, if ever. */
export async function settle(
  db: ParleyDb,
  row: OutboxRow,
  result: MutationResult,
  now: number = Date.now(),
  random: () => number = Math.random,
): Promise<Decision> {
  const attempts = row.attempts + 1;
  const decision = decide(result, attempts, random);
  // The server has answered: record it even when out of room, or it would be asked again.
  await withQuotaRecovery(db, () => settleIn(db, row, result, decision, attempts, now));
  return decision;
}

async function settleIn(
  db: ParleyDb,
  row: OutboxRow,
  result: MutationResult,
  decision: Decision,
  attempts: number,
  now: number,
): Promise<void> {
  await db.transaction('rw', outboxTables(db, row.mutation), async () => {
    // Discarded while it was in flight: nothing left to settle.
    if ((await db.outbox.get(row.clientId)) === undefined) return;
    if (result.ok) {
      await db.outbox.delete(row.clientId);
      if (result.message !== undefined) await putMessages(db, [result.message]);
      return;
    }
    const lastError = {
      code: result.code,
      ...(result.reason === undefined ? {} : { reason: result.reason }),
      ...(result.params === undefined ? {} : { params: result.params }),
    };
    if (decision.kind === 'failed') {
      await rollBack(db, row.rollback);
      await db.outbox.update(row.clientId, { state: 'failed', attempts, lastError });
    } else {
      const delayMs = decision.kind === 'retry' ? decision.delayMs : 0;
      await db.outbox.update(row.clientId, { state: 'queued', attempts, lastError, nextAttemptAt: now + delayMs });
    }
  });
}

/** The rows to send next: the first unfinished row of each lane, in creation order. */
export async function laneHeads(db: ParleyDb): Promise<OutboxRow[]> {
  const pending = (await db.outbox.orderBy('order').toArray()).filter((row) => row.state !== 'failed');
  const heads = new Map<string, OutboxRow>();
  for (const row of pending) if (!heads.has(row.lane)) heads.set(row.lane, row);
  return [...heads.values()];
}

/**
 * Sends what is due: lanes in parallel, each lane one row at a time in order, stopping a
 * lane at a row that must wait for its backoff. A row left 'sending' by a crash is sent
 * again with the same client id, which the server answers without repeating it.
 * Returns when the earliest waiting row is due, or null when nothing waits.
 */
export async function drainOutbox(
  db: ParleyDb,
  send: SendMutation,
  now: () => number = Date.now,
  random: () => number = Math.random,
): Promise<number | null> {
  let wakeAt: number | null = null;
  const lanes = await laneHeads(db);
  await Promise.all(
    lanes.map(async (first) => {
      let row: OutboxRow | undefined = first;
      while (row !== undefined) {
        if (row.nextAttemptAt > now()) {
          wakeAt = wakeAt === null ? row.nextAttemptAt : Math.min(wakeAt, row.nextAttemptAt);
          return;
        }
        const sending = row.clientId;
        await withQuotaRecovery(db, () => db.outbox.update(sending, { state: 'sending' }));
        const result = await send(row.mutation);
        const decision = await settle(db, row, result, now(), random);
        if (decision.kind === 'retry') {
          const due = now() + decision.delayMs;
          wakeAt = wakeAt === null ? due : Math.min(wakeAt, due);
          return;
        }
        const lane: string = row.lane;
        const order: number = row.order;
        row = (await db.outbox.where('[lane+order]').between([lane, order], [lane, Infinity], false).toArray()).find(
          (next) => next.state !== 'failed',
        );
      }
    }),
  );
  return wakeAt;
}

/**
 * Sends a failed row again. After a refusal the server has recorded its answer for that
 * client id and would only repeat it, so the retry is a new mutation with a new client id
 * (re-applying its optimistic effect). A row still queued (offline, a timeout: the server
 * may never have recorded it) keeps its id and is only made due now, so it can never be
 * stored twice.
 */
export async function retryOutbox(db: ParleyDb, clientId: string, newClientId: string): Promise<void> {
  const stored = await db.outbox.get(clientId);
  if (stored === undefined) return;
  await db.transaction('rw', outboxTables(db, stored.mutation), async () => {
    const row = await db.outbox.get(clientId);
    if (row === undefined) return;
    if (row.state !== 'failed') {
      await db.outbox.update(clientId, { nextAttemptAt: 0 });
      return;
    }
    await db.outbox.delete(clientId);
    await enqueueIn(db, { ...row.mutation, clientId: newClientId }, {});
  });
}

/** Drops a row for good, undoing its optimistic effect if it still shows. */
export async function discardOutbox(db: ParleyDb, clientId: string): Promise<void> {
  const stored = await db.outbox.get(clientId);
  if (stored === undefined) return;
  await db.transaction('rw', outboxTables(db, stored.mutation), async () => {
    const row = await db.outbox.get(clientId);
    if (row === undefined) return;
    if (row.state !== 'failed') await rollBack(db, row.rollback);
    await db.outbox.delete(clientId);
  });
}
