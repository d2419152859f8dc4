import type { ChangeSet, Store, Trx } from '../../platform/store.js';
import { changeStatus, loadConversation, lockWrites, type ConversationRow } from './assign.js';
import { autoAssign } from './auto.js';
import { PeriodicSweeper, type SweeperOptions } from './sweeper.js';

/**
 * Snoozing sets a conversation aside until a time: it comes back as open when the time
 * comes (the sweeper below), or sooner when the customer writes (the inbound path calls
 * `wakeConversation`). Coming back is a status change by Parley itself (byAgentId null),
 * with its line, and a conversation nobody has is offered to its team again.
 */

/** The longest snooze: a year. */
export const SNOOZE_MAX_MS = 365 * 24 * 60 * 60 * 1000;

/** Snoozes (or moves the time of a snoozed) conversation; the line says from which status. */
export function snoozeConversation(
  trx: Trx,
  changes: ChangeSet,
  conversation: ConversationRow,
  until: number,
  how: { by: string | null; now: number },
): Promise<boolean> {
  return changeStatus(trx, changes, conversation, 'snoozed', { ...how, snoozedUntil: until });
}

/** Back to open, if it is snoozed; returns whether it was. */
export async function wakeConversation(
  trx: Trx,
  changes: ChangeSet,
  conversation: ConversationRow,
  now: number,
): Promise<boolean> {
  if (conversation.status !== 'snoozed') return false;
  await changeStatus(trx, changes, conversation, 'open', { by: null, now });
  await autoAssign(trx, changes, conversation, now);
  return true;
}

/** How many due snoozes one sweep wakes at most (the rest at the next). */
const WAKE_BATCH = 500;

/** Wakes every conversation whose snooze ended at or before `now`; returns how many. */
export async function wakeDueSnoozes(store: Store, now: number): Promise<number> {
  return store.write(async (trx, changes) => {
    await lockWrites(trx);
    const due = await trx
      .selectFrom('conversations')
      .select('id')
      .where('snoozed_until', '<=', now)
      .where('status', '=', 'snoozed')
      .orderBy('snoozed_until')
      .limit(WAKE_BATCH)
      .execute();
    let woken = 0;
    for (const row of due) {
      const conversation = await loadConversation(trx, row.id);
      if (conversation !== undefined && (await wakeConversation(trx, changes, conversation, now))) woken += 1;
    }
    return woken;
  });
}

/** Runs `wakeDueSnoozes` every `intervalMs` (about 10 s) until stopped. */
export class SnoozeSweeper extends PeriodicSweeper {
  constructor(store: Store, options: SweeperOptions = {}) {
    super((now) => wakeDueSnoozes(store, now), 10_000, options);
  }
}
