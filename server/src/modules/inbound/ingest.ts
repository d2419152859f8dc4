import type { InboundEvent } from '../channels/index.js';
import { SLICE_MS, yieldToLoop } from '../../platform/slices.js';
import type { Store, WriteOrigin } from '../../platform/store.js';
import { MAX_NOTES, type AccountEvent, type Context, type Outcome } from './context.js';
import { applyMessage } from './messages.js';
import { applyStatus, applyWatermark } from './statuses.js';
import { applyReaction } from './reactions.js';
import { applyDelete, applyEdit } from './edits.js';

/**
 * Applies what the channel parsers made of one webhook POST.
 *
 * The rules, event by event (each is idempotent, so Meta's retries change nothing):
 * - message: deduplicated on (channel, external_id) — checked first, guaranteed by the
 *   `messages_external` unique index. Creates the contact and the conversation on first
 *   contact. Every attachment becomes a `media` row the media service copies. Only a
 *   customer's own message (not an echo, not a system notice) opens the windows, counts as
 *   unread and reopens a resolved conversation.
 * - echo (a message the business sent, seen by Meta): see `attachEcho`.
 * - status (WhatsApp): moves forward only, sent < delivered < read; see `nextStatus`.
 * - watermark (Messenger delivery/read, Instagram seen): moves our outbound messages up to
 *   it forward, by the same rule.
 * - reaction: at most one customer reaction per message, replaced or removed; never a
 *   message, never a window.
 * - edit / delete: update the text and `edited_at` / set `deleted_at`; the row and its raw
 *   payload stay.
 * Events about something we do not have (a status for a message we never sent, a reaction
 * to a message we never stored) are noted and acknowledged, not stored.
 */

export type IngestResult = {
  /** New messages. */
  stored: number;
  /** Existing rows moved forward: statuses, reactions, edits, deletes, echoes matched to our sends. */
  updated: number;
  /** Events already applied (Meta's retries): nothing changed. */
  duplicates: number;
  /** Events about things we do not have, and account errors: acknowledged, not stored. */
  ignored: number;
  /** Why events were ignored, for the log (the first few). */
  notes: string[];
};

export type IngestOptions = {
  /** The webhook these events came in, carried to the fan-out for its latency metric. */
  origin?: WriteOrigin;
  /** Aborted when the server is stopping: ingest stops between transactions. */
  signal?: AbortSignal;
  /** How long one transaction may hold the event loop (default SLICE_MS). */
  sliceMs?: number;
};

/**
 * Every transaction applies at least this many events, whatever the time: a webhook as
 * Meta usually sends them (one to a few events) is one transaction and one live batch.
 */
export const MIN_SLICE_EVENTS = 8;

/** The server stopped before every event was stored: the webhook is answered 503, and Meta retries it. */
export class IngestInterruptedError extends Error {
  override readonly name = 'IngestInterruptedError';
}

/**
 * Applies normalized webhook events for known accounts, in the platform's time order, in
 * consecutive slices of a few milliseconds each (and at least MIN_SLICE_EVENTS events),
 * with the event loop handed back in between: a webhook of thousands of messages never
 * holds the process, and readers and other writers take their turn between its slices.
 * Each slice is a grouped write (`Store.write`): it shares its transaction with the slices
 * of other webhooks that arrived meanwhile: one COMMIT serves them all, and one webhook that
 * fails does not fail the others (its slice may then run twice: it only returns what it
 * did, and is counted once its transaction has committed). Seqs are taken in commit
 * order like any other write, so the sequence stays gap-free and ordered.
 *
 * When this resolves, every event is stored, so the webhook may be acknowledged. If it
 * throws, the transactions before the failure stay committed; Meta's retry of the webhook
 * then finds those events already applied (every rule below is idempotent) and stores the
 * rest: each event ends up applied exactly once.
 */
export async function ingestEvents(
  store: Store,
  events: readonly AccountEvent[],
  options: IngestOptions = {},
): Promise<IngestResult> {
  const result: IngestResult = { stored: 0, updated: 0, duplicates: 0, ignored: 0, notes: [] };
  if (events.length === 0) return result;
  // Meta does not promise delivery order: apply in the platform's time order. The sort is
  // stable, so events with the same time keep the payload's order.
  const ordered = [...events].sort((a, b) => eventTime(a) - eventTime(b));
  const sliceMs = options.sliceMs ?? SLICE_MS;
  // Customers' messages may be stored beside other webhooks' (on PostgreSQL, see
  // `Store.write`): `applyMessage` locks what it decides from. Anything else runs alone.
  const concurrent = ordered.every((event) => event.type === 'message' && event.direction === 'inbound');
  let next = 0;
  while (next < ordered.length) {
    if (next > 0) {
      await yieldToLoop();
      if (options.signal?.aborted === true) {
        throw new IngestInterruptedError(`stopped after ${next} of ${ordered.length} events`);
      }
    }
    const from = next;
    const slice = await store.write(
      async (trx, changes) => {
        // Kept with the slice's result, not noted at once: a grouped write may run twice.
        const notes: string[] = [];
        const note = (text: string): void => {
          if (result.notes.length + notes.length < MAX_NOTES) notes.push(text);
        };
        const context: Context = { trx, changes, now: Date.now(), note };
        const counts = { stored: 0, updated: 0, duplicates: 0, ignored: 0 };
        const started = performance.now();
        let index = from;
        do {
          const event = ordered[index];
          index += 1;
          if (event === undefined) break;
          const outcome = await apply(context, event);
          if (outcome === 'duplicate') counts.duplicates += 1;
          else if (outcome === 'stored') counts.stored += 1;
          else if (outcome === 'updated') counts.updated += 1;
          else counts.ignored += 1;
        } while (index < ordered.length && (index - from < MIN_SLICE_EVENTS || performance.now() - started < sliceMs));
        return { index, counts, notes };
      },
      // Grouped: the webhooks that arrive while one transaction commits are stored together
      // in the next, one COMMIT for all, each answered once it has committed.
      options.origin === undefined
        ? { grouped: true, concurrent }
        : { origin: options.origin, grouped: true, concurrent },
    );
    // Counted once committed: a transaction that failed counts nothing.
    next = slice.index;
    result.stored += slice.counts.stored;
    result.updated += slice.counts.updated;
    result.duplicates += slice.counts.duplicates;
    result.ignored += slice.counts.ignored;
    result.notes.push(...slice.notes);
  }
  return result;
}

function eventTime(event: InboundEvent): number {
  switch (event.type) {
    case 'message':
      return event.sentAt;
    case 'status':
    case 'reaction':
    case 'edit':
    case 'delete':
      return event.at;
    case 'watermark':
      return event.at ?? event.watermark ?? 0;
    case 'account_error':
      return 0;
  }
}

async function apply(context: Context, event: AccountEvent): Promise<Outcome> {
  switch (event.type) {
    case 'message':
      return applyMessage(context, event);
    case 'status':
      return applyStatus(context, event);
    case 'watermark':
      return applyWatermark(context, event);
    case 'reaction':
      return applyReaction(context, event);
    case 'edit':
      return applyEdit(context, event);
    case 'delete':
      return applyDelete(context, event);
    case 'account_error':
      context.note(
        `${event.channel} account ${event.accountExternalId} error ${event.error.code}: ${event.error.message}`,
      );
      return 'ignored';
  }
}

// ---------------------------------------------------------------------------------------
// Messages
