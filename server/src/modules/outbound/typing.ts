import type { Channel } from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { Selectable } from 'kysely';
import type { Database } from '../../platform/schema.js';
import type { Store } from '../../platform/store.js';
import type { Throttle } from '../../platform/throttle.js';
import { typingTarget } from './commands.js';
import { senderActionBody, whatsappReadBody } from './payloads.js';

type AccountRow = Selectable<Database['channel_accounts']>;

/**
 * Typing indicators: best effort, never queued, at most one per conversation per interval.
 * A typing indicator that arrives late is worse than none. WhatsApp's indicator also marks
 * the customer's last message read (Meta ties the two).
 */
export class TypingIndicators {
  private readonly sentAt = new Map<string, number>();
  private readonly calls = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      store: Store;
      log: FastifyBaseLogger;
      throttle: Throttle;
      /** How long after one indicator the next may go, per conversation. */
      intervalMs: () => number;
      /** Posts to the account's messages endpoint. */
      post: (account: AccountRow, channel: Channel, body: unknown) => Promise<unknown>;
    },
  ) {}

  send(conversationId: string): void {
    const now = Date.now();
    const interval = this.deps.intervalMs();
    const last = this.sentAt.get(conversationId);
    if (last !== undefined && now - last < interval) return;
    this.sentAt.set(conversationId, now);
    if (this.sentAt.size > 5_000) {
      for (const [id, at] of this.sentAt) if (now - at >= interval) this.sentAt.delete(id);
    }
    const call = this.post(conversationId).catch((error: unknown) => {
      this.deps.log.debug(
        { conversationId, err: error instanceof Error ? error.message : String(error) },
        'outbound: typing indicator not sent',
      );
    });
    this.calls.add(call);
    void call.finally(() => this.calls.delete(call));
  }

  /** The indicators under way, for a shutdown to wait on. */
  inFlight(): Promise<void>[] {
    return [...this.calls];
  }

  private async post(conversationId: string): Promise<void> {
    const target = await typingTarget(this.deps.store, conversationId);
    const now = Date.now();
    if (target === null || target.recipient === null) return;
    // Outside the window the platforms refuse it anyway.
    if (target.windowOpenUntil === null || target.windowOpenUntil <= now) return;
    if (target.channel === 'whatsapp' && target.lastInboundExternalId === null) return;
    const bucket = this.deps.throttle.bucket(target.account.id, Number(target.account.throughput_per_second), now);
    if (!bucket.tryTake(now)) return;
    const body =
      target.channel === 'whatsapp'
        ? whatsappReadBody(target.lastInboundExternalId ?? '', true)
        : senderActionBody(target.recipient, 'typing_on');
    await this.deps.post(target.account, target.channel, body);
  }
}
