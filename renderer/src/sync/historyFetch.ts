import { liveQuery, type Subscription } from 'dexie';
import { HistoryReplySchema } from '@parley/protocol';
import { withQuotaRecovery } from '../data/quota.js';
import { applyEntities } from './apply.js';
import { HISTORY_PAGE_SIZE, type HistoryResult, type SyncLink } from './link.js';

/** Answers the requests for older messages that threads write to the database (`requestHistory`). */
export class HistoryFetcher {
  private watch: Subscription | null = null;
  private readonly inFlight = new Set<string>();

  constructor(private readonly link: SyncLink) {}

  /** A thread scrolled to its top asks for older history through the database. */
  start(): void {
    this.watch = liveQuery(() => this.link.db.history.filter((row) => row.requestedAt !== null).toArray()).subscribe({
      next: () => this.answerRequests(),
      error: (error: unknown) => this.link.report('history', error),
    });
  }

  stop(): void {
    this.watch?.unsubscribe();
    this.watch = null;
  }

  /**
   * Fetches messages older than the oldest cached one and stores them without moving the
   * cursor (the seq rule keeps the newer of two versions). Remembers whether the server
   * has more, for the thread to know when to stop asking.
   */
  async fetch(conversationId: string): Promise<HistoryResult> {
    const socket = this.link.socket();
    if (socket === null || !socket.connected || !this.link.ready())
      return { ok: false, code: 'internal', reason: 'offline' };
    const db = this.link.db;
    const oldest = await db.messages
      .where('[conversationId+createdAt]')
      .between([conversationId, -Infinity], [conversationId, Infinity])
      .first();
    let reply: unknown;
    try {
      reply = await socket.timeout(this.link.timeoutMs).emitWithAck('history:fetch', {
        conversationId,
        before: oldest?.createdAt ?? Date.now(),
        limit: HISTORY_PAGE_SIZE,
      });
    } catch {
      return { ok: false, code: 'internal', reason: 'timeout' };
    }
    const page = HistoryReplySchema.safeParse(reply);
    if (!page.success) {
      this.link.options.onInvalidPayload?.('history:fetch', page.error.message);
      return { ok: false, code: 'internal', reason: 'bad_reply' };
    }
    if (!page.data.ok) {
      const { code, reason, params } = page.data;
      return {
        ok: false,
        code,
        ...(reason === undefined ? {} : { reason }),
        ...(params === undefined ? {} : { params }),
      };
    }
    const { messages, hasMore } = page.data;
    const older = messages.map((data) => ({ entity: 'message' as const, data }));
    await withQuotaRecovery(db, () => applyEntities(db, older));
    await db.history.put({ conversationId, hasMore, requestedAt: null });
    return { ok: true, added: messages.length, hasMore };
  }

  /** Fetches the pages of older history views asked for, one request per conversation. */
  answerRequests(): void {
    if (!this.link.ready()) return;
    const db = this.link.db;
    void db.history
      .filter((row) => row.requestedAt !== null)
      .toArray()
      .then((rows) =>
        Promise.all(
          rows
            .filter((row) => !this.inFlight.has(row.conversationId))
            .map(async (row) => {
              this.inFlight.add(row.conversationId);
              try {
                const result = await this.fetch(row.conversationId);
                // Offline or refused: drop the request; scrolling up again asks again.
                if (!result.ok) await db.history.update(row.conversationId, { requestedAt: null });
              } finally {
                this.inFlight.delete(row.conversationId);
              }
            }),
        ),
      )
      .catch((error: unknown) => this.link.report('history', error));
  }
}
