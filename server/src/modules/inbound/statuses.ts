import { type MessageStatus } from '@parley/protocol';
import { z } from 'zod';
import { findMessage, type AccountEvent, type Context, type Outcome } from './context.js';
import { findContactId } from './contacts.js';

/** Delivery statuses and read watermarks of the business's messages. */

export const STATUS_RANK: Partial<Record<MessageStatus, number>> = { pending: 0, sent: 1, delivered: 2, read: 3 };

/**
 * The status a message moves to, or null to leave it: statuses only move forward
 * (sent < delivered < read; `read` may come without `delivered`, and a late `delivered`
 * never undoes `read`). `failed` applies only over pending or sent. A `delivered` or
 * `read` after `failed` wins: the message did reach one of the customer's devices (Meta
 * warns of this on multi-device accounts). Inbound messages have no delivery status.
 */
export function nextStatus(
  current: MessageStatus,
  incoming: 'sent' | 'delivered' | 'read' | 'failed',
): MessageStatus | null {
  if (current === 'received') return null;
  if (incoming === 'failed') return current === 'pending' || current === 'sent' ? 'failed' : null;
  if (current === 'failed') return incoming === 'sent' ? null : incoming;
  const from = STATUS_RANK[current] ?? 0;
  const to = STATUS_RANK[incoming] ?? 0;
  return to > from ? incoming : null;
}

export const StatusSchema = z.enum(['received', 'pending', 'sent', 'delivered', 'read', 'failed']);

/** WhatsApp codes that mean "the 24-hour window is closed" (131047; 470 from the On-Prem API). */
export const WINDOW_CLOSED_CODES = new Set(['131047', '470']);

export async function applyStatus(
  context: Context,
  event: Extract<AccountEvent, { type: 'status' }>,
): Promise<Outcome> {
  const { trx, changes } = context;
  const message = await findMessage(trx, event.channel, event.externalId);
  if (message === undefined) {
    // Typically a send of another tool on the same number, or one we have not recorded.
    context.note(`${event.status} status for an unknown message ${event.externalId}`);
    return 'ignored';
  }
  const next = nextStatus(StatusSchema.parse(message.status), event.status);
  if (next === null) return 'duplicate';
  await trx
    .updateTable('messages')
    .set({
      status: next,
      // The platform's code and words stay with the failed message; a later delivery clears them.
      error: next === 'failed' ? JSON.stringify(event.error) : null,
      seq: await changes.nextSeq('message', message.id),
    })
    .where('id', '=', message.id)
    .execute();
  if (next === 'failed' && event.error !== null && WINDOW_CLOSED_CODES.has(event.error.code)) {
    await closeWindow(context, message.conversation_id, event.at);
  }
  return 'updated';
}

/**
 * WhatsApp refused a send because the customer service window was closed at `at`: trust
 * that over our own reckoning (clocks drift, a message may have been missed), so the
 * composer offers templates. A customer message after `at` has reopened it, so then
 * nothing changes.
 */
export async function closeWindow(context: Context, conversationId: string, at: number): Promise<void> {
  const conversation = await context.trx
    .selectFrom('conversations')
    .select(['id', 'last_inbound_at', 'window_open_until'])
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  const lastInbound = conversation.last_inbound_at === null ? null : Number(conversation.last_inbound_at);
  const openUntil = conversation.window_open_until === null ? null : Number(conversation.window_open_until);
  if (openUntil === null || openUntil <= at) return;
  if (lastInbound !== null && lastInbound > at) return;
  await context.trx
    .updateTable('conversations')
    .set({ window_open_until: at, seq: await context.changes.nextSeq('conversation', conversationId) })
    .where('id', '=', conversationId)
    .execute();
}

export async function applyWatermark(
  context: Context,
  event: Extract<AccountEvent, { type: 'watermark' }>,
): Promise<Outcome> {
  const { trx, changes } = context;
  const kind = event.channel === 'messenger' ? 'psid' : event.channel === 'instagram' ? 'igsid' : 'wa_id';
  const contactId = await findContactId(trx, event.channel, [{ kind, externalId: event.customerExternalId }]);
  const conversation =
    contactId === undefined
      ? undefined
      : await trx
          .selectFrom('conversations')
          .select('id')
          .where('channel_account_id', '=', event.account.id)
          .where('contact_id', '=', contactId)
          .executeTakeFirst();
  if (conversation === undefined) {
    context.note(`${event.status} watermark for an unknown thread with ${event.customerExternalId}`);
    return 'ignored';
  }
  // Instagram's seen names one message: it and everything we sent before it were seen.
  let watermark = event.watermark;
  if (event.status === 'read' && event.externalIds.length > 0) {
    const seen = await trx
      .selectFrom('messages')
      .select('created_at')
      .where('conversation_id', '=', conversation.id)
      .where('channel', '=', event.channel)
      .where('external_id', 'in', event.externalIds)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (seen !== undefined) watermark = Math.max(watermark ?? 0, Number(seen.created_at));
  }
  const movable: MessageStatus[] = event.status === 'read' ? ['sent', 'delivered'] : ['sent'];
  if (watermark === null && event.externalIds.length === 0) return 'duplicate';
  const candidates = await trx
    .selectFrom('messages')
    .select(['id', 'status'])
    .where('conversation_id', '=', conversation.id)
    .where('direction', '=', 'outbound')
    .where('status', 'in', movable)
    .where((eb) =>
      eb.or([
        ...(watermark === null ? [] : [eb('created_at', '<=', watermark)]),
        ...(event.externalIds.length === 0 ? [] : [eb('external_id', 'in', event.externalIds)]),
      ]),
    )
    .orderBy('created_at')
    .execute();
  for (const message of candidates) {
    await trx
      .updateTable('messages')
      .set({ status: event.status, seq: await changes.nextSeq('message', message.id) })
      .where('id', '=', message.id)
      .execute();
  }
  return candidates.length > 0 ? 'updated' : 'duplicate';
}

// ---------------------------------------------------------------------------------------
// Reactions, edits, deletes
