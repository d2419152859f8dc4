import { io, type Socket } from 'socket.io-client';
import { liveQuery, type Subscription } from 'dexie';
import { z } from 'zod';
import {
  ConnectErrorDataSchema,
  FailureSchema,
  HelloReplySchema,
  HistoryReplySchema,
  LiveBatchSchema,
  MutationSchema,
  MutationSuccessSchema,
  PROTOCOL_VERSION,
  PullReplySchema,
  SOCKET_AUTH_TOKEN,
  failure,
  type ClientToServerEvents,
  type Change,
  type LiveBatch,
  type Message,
  type Mutation,
  type MutationResult,
  type ServerToClientEvents,
} from '@parley/protocol';
import { t } from '../common/i18n/index.js';
import { readMetas, type ParleyDb } from '../data/db.js';
import { exclusively } from '../data/locks.js';
import { withQuotaRecovery } from '../data/quota.js';
import { applyChanges, applyEntities } from './apply.js';
import { drainOutbox } from './outbox.js';
import { TypingThrottle } from './typing.js';

export type ConnectionState =
  | { kind: 'connecting' }
  /** Lost the connection and trying again (`attempt` counts the tries since). */
  | { kind: 'reconnecting'; attempt: number }
  | { kind: 'catchingUp'; applied: number; head: number }
  | { kind: 'online' }
  | { kind: 'offline' }
  /** The server refused us for a reason retrying will not fix (protocol, session). */
  | { kind: 'error'; code: string; message: string };

export type SyncEngineOptions = {
  db: ParleyDb;
  serverUrl: string;
  /** The desktop app's session token; a browser is signed in by its HttpOnly cookie instead. */
  token: string | null;
  clientName: string;
  pageSize?: number;
  /** The bounds of a new install's first sync; BOOTSTRAP_BOUNDS unless a test narrows them. */
  bootstrap?: BootstrapBounds;
  requestTimeoutMs?: number;
  /** Called when the server says the session is no longer valid. */
  onSignedOut?: (message: string) => void;
  /** Called with anything invalid the server sent, for logs and reports. */
  onInvalidPayload?: (what: string, detail: string) => void;
  /** Called with the customers' messages this device had not seen, once they are stored. */
  onArrivals?: (arrivals: Arrivals) => void;
};

/**
 * Customer messages new to this device: pushed live one batch at a time, or found by a
 * catch-up pull after an absence (which a view sums up instead of announcing each). The
 * first sync of a new install reports none: nothing in it is news.
 */
export type Arrivals = { during: 'live' | 'catchUp'; messages: Message[] };

type ParleySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The bounds of a new install's first sync, sent on every page of it: every open
 * conversation, closed ones of the last 30 days, the last 50 messages of each. Older
 * messages come with `history:fetch` when the agent scrolls back.
 */
export type BootstrapBounds = { messagesPerConversation: number; closedDays: number };
export const BOOTSTRAP_BOUNDS: BootstrapBounds = { messagesPerConversation: 50, closedDays: 30 };
export const HISTORY_PAGE_SIZE = 50;

export type HistoryResult = { ok: true; added: number; hasMore: boolean } | { ok: false; message: string };

const MutationReplySchema = z.union([MutationSuccessSchema, FailureSchema]);

/**
 * Keeps the local database in step with the server: on every connect it says hello,
 * pulls every change after its cursor in pages, then applies live batches, pulling again
 * whenever a batch shows it has missed something. The cursor only moves in the same
 * transaction as the changes it covers.
 */
export class SyncEngine {
  private socket: ParleySocket | null = null;
  private state: ConnectionState = { kind: 'connecting' };
  private readonly listeners = new Set<() => void>();
  private pulling: Promise<void> | null = null;
  private pullAgain = false;
  private nextPullDuring: Arrivals['during'] = 'catchUp';
  private ready = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Live batches that arrived while a pull was running; applied after it, in order. */
  private queue: LiveBatch[] = [];
  private readonly pageSize: number;
  private readonly timeoutMs: number;
  private readonly typingThrottle = new TypingThrottle();
  private outboxWatch: Subscription | null = null;
  private historyWatch: Subscription | null = null;
  private readonly historyInFlight = new Set<string>();
  private outboxTimer: ReturnType<typeof setTimeout> | undefined;
  private outboxRunning = false;
  private outboxAgain = false;

  constructor(private readonly options: SyncEngineOptions) {
    this.pageSize = options.pageSize ?? 500;
    this.timeoutMs = options.requestTimeoutMs ?? 15_000;
  }

  getState = (): ConnectionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(): void {
    if (this.socket !== null) return;
    const auth: Record<string, string> = {};
    if (this.options.token !== null) auth[SOCKET_AUTH_TOKEN] = this.options.token;
    const socket: ParleySocket = io(this.options.serverUrl, {
      auth,
      withCredentials: true,
      transports: ['websocket'],
      // Backoff with jitter, so a server coming back is not hit by every client at once.
      reconnectionDelay: 1000,
      reconnectionDelayMax: 30_000,
      randomizationFactor: 0.5,
    });
    this.socket = socket;
    // Any write to the outbox, from this tab or another, wakes the drainer.
    this.outboxWatch = liveQuery(() => this.options.db.outbox.where('state').equals('queued').count()).subscribe({
      next: () => this.drainOutbox(),
      error: (error: unknown) =>
        this.options.onInvalidPayload?.('outbox', error instanceof Error ? error.message : String(error)),
    });

    // A thread scrolled to its top asks for older history through the database.
    this.historyWatch = liveQuery(() =>
      this.options.db.history.filter((row) => row.requestedAt !== null).toArray(),
    ).subscribe({
      next: () => this.answerHistoryRequests(),
      error: (error: unknown) =>
        this.options.onInvalidPayload?.('history', error instanceof Error ? error.message : String(error)),
    });

    socket.on('connect', () => {
      this.ready = false;
      this.setState({ kind: 'connecting' });
      void this.handshake(socket);
    });
    socket.on('disconnect', (reason) => {
      this.ready = false;
      if (this.state.kind === 'error') return;
      this.setState({ kind: 'offline' });
      // socket.io does not reconnect by itself when the server closed the socket (a server
      // draining its connections, or a sign-out elsewhere). Try again after a pause: an ended
      // session is then refused by the handshake, and reported as such.
      if (reason === 'io server disconnect') {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => socket.connect(), 1000 + Math.random() * 2000);
      }
    });
    // socket.io's manager retries with backoff and jitter: reconnecting from the first try
    // until one succeeds, unless the device itself says it has no network.
    socket.io.on('reconnect_attempt', (attempt) => {
      if (this.state.kind === 'error') return;
      const deviceOffline = typeof navigator !== 'undefined' && navigator.onLine === false;
      this.setState(deviceOffline ? { kind: 'offline' } : { kind: 'reconnecting', attempt });
    });
    socket.on('connect_error', (error: Error & { data?: unknown }) => {
      const data = ConnectErrorDataSchema.safeParse(error.data);
      if (data.success && data.data.code === 'unauthorized') {
        socket.disconnect();
        this.setState({ kind: 'error', code: 'unauthorized', message: error.message });
        this.options.onSignedOut?.(error.message);
        return;
      }
      if (this.state.kind !== 'error' && this.state.kind !== 'reconnecting') this.setState({ kind: 'offline' });
    });
    socket.on('sync:changes', (payload) => {
      const batch = LiveBatchSchema.safeParse(payload);
      if (!batch.success) {
        this.options.onInvalidPayload?.('sync:changes', batch.error.message);
        return;
      }
      this.queue.push(batch.data);
      if (this.ready) void this.drainLive();
    });
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.outboxTimer);
    this.outboxWatch?.unsubscribe();
    this.outboxWatch = null;
    this.historyWatch?.unsubscribe();
    this.historyWatch = null;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.ready = false;
    this.setState({ kind: 'offline' });
  }

  /**
   * Sends one mutation and waits for the server's answer, validated. Offline, it fails at
   * once with words to show and queues nothing: this is the request the outbox drainer
   * uses; views write to the outbox with `enqueue` instead.
   */
  async mutate(mutation: Mutation): Promise<MutationResult> {
    const valid = MutationSchema.safeParse(mutation);
    if (!valid.success) {
      return failure('bad_request', t('mutation.invalid', { detail: valid.error.issues[0]?.message ?? '' }));
    }
    const socket = this.socket;
    if (socket === null || !socket.connected || !this.ready) return failure('internal', t('mutation.offline'));
    let reply: unknown;
    try {
      reply = await socket.timeout(this.timeoutMs).emitWithAck('mutate', valid.data);
    } catch {
      return failure('internal', t('mutation.timeout'));
    }
    const result = MutationReplySchema.safeParse(reply);
    if (!result.success) {
      this.options.onInvalidPayload?.('mutate', result.error.message);
      return failure('internal', t('mutation.badReply'));
    }
    if (result.data.ok && result.data.message !== undefined) {
      // Show the stored message at once; the change feed brings the same version again.
      const stored = [{ entity: 'message' as const, data: result.data.message }];
      await withQuotaRecovery(this.options.db, () => applyEntities(this.options.db, stored)).catch((error: unknown) =>
        this.options.onInvalidPayload?.('mutate', error instanceof Error ? error.message : String(error)),
      );
      if (mutation.type === 'message.send') this.typingThrottle.reset(mutation.conversationId);
    }
    return result.data;
  }

  /** Tells the customer the agent is typing: throttled, best effort, dropped when offline. */
  typing(conversationId: string): void {
    const socket = this.socket;
    if (socket === null || !socket.connected || !this.ready) return;
    if (!this.typingThrottle.take(conversationId)) return;
    socket.emit('typing', { conversationId });
  }

  /**
   * Fetches messages older than the oldest cached one and stores them without moving the
   * cursor (the seq rule keeps the newer of two versions). Remembers whether the server
   * has more, for the thread to know when to stop asking.
   */
  async fetchHistory(conversationId: string): Promise<HistoryResult> {
    const socket = this.socket;
    if (socket === null || !socket.connected || !this.ready) return { ok: false, message: t('mutation.offline') };
    const db = this.options.db;
    const oldest = await db.messages
      .where('[conversationId+createdAt]')
      .between([conversationId, -Infinity], [conversationId, Infinity])
      .first();
    let reply: unknown;
    try {
      reply = await socket.timeout(this.timeoutMs).emitWithAck('history:fetch', {
        conversationId,
        before: oldest?.createdAt ?? Date.now(),
        limit: HISTORY_PAGE_SIZE,
      });
    } catch {
      return { ok: false, message: t('mutation.timeout') };
    }
    const page = HistoryReplySchema.safeParse(reply);
    if (!page.success) {
      this.options.onInvalidPayload?.('history:fetch', page.error.message);
      return { ok: false, message: t('mutation.badReply') };
    }
    if (!page.data.ok) return { ok: false, message: page.data.message ?? '' };
    const { messages, hasMore } = page.data;
    const older = messages.map((data) => ({ entity: 'message' as const, data }));
    await withQuotaRecovery(db, () => applyEntities(db, older));
    await db.history.put({ conversationId, hasMore, requestedAt: null });
    return { ok: true, added: messages.length, hasMore };
  }

  /** Fetches the pages of older history views asked for, one request per conversation. */
  private answerHistoryRequests(): void {
    if (!this.ready) return;
    const db = this.options.db;
    void db.history
      .filter((row) => row.requestedAt !== null)
      .toArray()
      .then((rows) =>
        Promise.all(
          rows
            .filter((row) => !this.historyInFlight.has(row.conversationId))
            .map(async (row) => {
              this.historyInFlight.add(row.conversationId);
              try {
                const result = await this.fetchHistory(row.conversationId);
                // Offline or refused: drop the request; scrolling up again asks again.
                if (!result.ok) await db.history.update(row.conversationId, { requestedAt: null });
              } finally {
                this.historyInFlight.delete(row.conversationId);
              }
            }),
        ),
      )
      .catch((error: unknown) =>
        this.options.onInvalidPayload?.('history', error instanceof Error ? error.message : String(error)),
      );
  }

  /**
   * Drains the outbox while online. One run at a time in this tab, and one tab at a time
   * through a Web Lock on the database's name, so two windows never send the same rows at
   * once (`exclusively`).
   */
  private drainOutbox(): void {
    if (!this.ready || this.socket === null) return;
    if (this.outboxRunning) {
      this.outboxAgain = true;
      return;
    }
    this.outboxRunning = true;
    clearTimeout(this.outboxTimer);
    const run = async (): Promise<number | null> => {
      let wakeAt: number | null;
      do {
        this.outboxAgain = false;
        wakeAt = await drainOutbox(this.options.db, (mutation) => this.mutate(mutation));
      } while (this.outboxAgain && this.ready);
      return wakeAt;
    };
    exclusively(`parley-outbox:${this.options.db.name}`, run)
      .then((wakeAt) => {
        if (wakeAt !== null && this.socket !== null) {
          this.outboxTimer = setTimeout(() => this.drainOutbox(), Math.max(0, wakeAt - Date.now()));
        }
      })
      .catch((error: unknown) =>
        this.options.onInvalidPayload?.('outbox', error instanceof Error ? error.message : String(error)),
      )
      .finally(() => {
        this.outboxRunning = false;
        if (this.outboxAgain) this.drainOutbox();
      });
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  private async handshake(socket: ParleySocket): Promise<void> {
    try {
      const reply: unknown = await socket
        .timeout(this.timeoutMs)
        .emitWithAck('hello', { protocolVersion: PROTOCOL_VERSION, client: this.options.clientName });
      const welcome = HelloReplySchema.safeParse(reply);
      if (!welcome.success) {
        this.options.onInvalidPayload?.('hello', welcome.error.message);
        socket.disconnect();
        this.setState({
          kind: 'error',
          code: 'bad_request',
          message: 'The server answered in a way this app does not understand.',
        });
        return;
      }
      if (!welcome.data.ok) {
        // Retrying cannot fix a refused hello (another protocol version, a deleted account).
        socket.disconnect();
        this.setState({ kind: 'error', code: welcome.data.code, message: welcome.data.message ?? '' });
        return;
      }
      await this.pull();
      this.ready = true;
      await this.drainLive();
      if (socket.connected) this.setState({ kind: 'online' });
      // Back online: what waited out a backoff because we were offline may go at once.
      const db = this.options.db;
      await withQuotaRecovery(db, () => db.outbox.where('state').equals('queued').modify({ nextAttemptAt: 0 }));
      this.drainOutbox();
      this.answerHistoryRequests();
    } catch {
      // A timeout, a refused pull or a dropped socket. Start again from the cursor after a
      // jittered pause; socket.io's own backoff covers the case where the socket dropped.
      if (socket.connected) {
        socket.disconnect();
        this.setState({ kind: 'offline' });
        this.retryTimer = setTimeout(() => socket.connect(), 1000 + Math.random() * 4000);
      }
    }
  }

  /**
   * Pulls until caught up. Concurrent calls share one run, followed by one more if asked.
   * `during` says how to report what it brings: a connect catches up after an absence, a
   * gap in the live feed is still live.
   */
  private pull(during: Arrivals['during'] = 'catchUp'): Promise<void> {
    this.nextPullDuring = this.pulling !== null && this.nextPullDuring === 'catchUp' ? 'catchUp' : during;
    if (this.pulling !== null) {
      this.pullAgain = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      try {
        do {
          this.pullAgain = false;
          await this.pullPages(this.nextPullDuring);
        } while (this.pullAgain);
      } finally {
        this.pulling = null;
      }
    })();
    return this.pulling;
  }

  private async pullPages(during: Arrivals['during']): Promise<void> {
    const socket = this.socket;
    if (socket === null) return;
    const db = this.options.db;
    const meta = await readMetas(db, ['cursor', 'lastSyncedAt', 'bootstrapped']);
    let cursor = meta.cursor ?? 0;
    const lastSynced = meta.lastSyncedAt ?? 0;
    const start = cursor;
    // Until a new install's bounded first sync has finished, every page asks for its
    // bounds, so one interrupted halfway resumes bounded rather than pulling everything.
    const bootstrap = meta.bootstrapped === undefined ? (this.options.bootstrap ?? BOOTSTRAP_BOUNDS) : undefined;
    const arrived: Message[] = [];
    const request = (from: number): Promise<unknown> => {
      const reply = socket.timeout(this.timeoutMs).emitWithAck('sync:pull', {
        cursor: from,
        limit: this.pageSize,
        ...(bootstrap === undefined ? {} : { bootstrap }),
      });
      // Awaited in its turn; a page asked for ahead of a failure is simply dropped.
      reply.catch(() => undefined);
      return reply;
    };
    let pending = request(cursor);
    try {
      for (;;) {
        const reply: unknown = await pending;
        const page = PullReplySchema.safeParse(reply);
        if (!page.success) {
          this.options.onInvalidPayload?.('sync:pull', page.error.message);
          throw new Error('The server sent a page of changes this app does not understand.');
        }
        if (!page.data.ok) throw new Error(page.data.message);
        const { changes, cursor: next, hasMore, head } = page.data;
        // Ask for the next page while this one is written, so the network and IndexedDB
        // work at once; pages are still applied in order, each with its cursor.
        if (hasMore) pending = request(next);
        const news = bootstrap === undefined ? await this.unseen(changes, lastSynced) : [];
        await withQuotaRecovery(db, () => applyChanges(db, changes, next));
        arrived.push(...news);
        cursor = next;
        if (!hasMore) break;
        this.setState({ kind: 'catchingUp', applied: cursor - start, head: head - start });
      }
      if (bootstrap !== undefined) {
        await withQuotaRecovery(db, () => db.meta.put({ key: 'bootstrapped', value: Date.now() }));
      }
    } finally {
      // What was stored is reported even when a later page failed: a retry will not see it as new.
      if (arrived.length > 0) this.options.onArrivals?.({ during, messages: dedupe(arrived) });
    }
  }

  /**
   * The customers' messages among `changes` that are news: not stored here, and either
   * written since this device last synced, or newer than anything it knew of their
   * conversation (a platform may deliver a message hours late, after an outage). An old
   * message that comes again with a new seq (a contact merge, a reaction, one older than
   * what the first sync brought) is not news.
   */
  private async unseen(changes: readonly Change[], lastSynced: number): Promise<Message[]> {
    if (this.options.onArrivals === undefined) return [];
    const inbound = changes.flatMap((change) =>
      change.entity === 'message' && change.data.direction === 'inbound' ? [change.data] : [],
    );
    if (inbound.length === 0) return [];
    const db = this.options.db;
    const conversationIds = [...new Set(inbound.map((message) => message.conversationId))];
    const [stored, conversations] = await Promise.all([
      db.messages.bulkGet(inbound.map((message) => message.id)),
      db.conversations.bulkGet(conversationIds),
    ]);
    const known = new Map<string, number>();
    conversationIds.forEach((id, index) => {
      const conversation = conversations[index];
      if (conversation !== undefined) known.set(id, conversation.lastInboundAt ?? 0);
    });
    const since = lastSynced - ARRIVAL_CLOCK_SKEW_MS;
    return inbound.filter((message, index) => {
      if (stored[index] !== undefined) return false;
      const lastKnown = known.get(message.conversationId);
      return lastKnown === undefined || message.createdAt > lastKnown || message.createdAt >= since;
    });
  }

  private draining = false;

  private async drainLive(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.shift();
        if (batch === undefined) break;
        const meta = await readMetas(this.options.db, ['cursor', 'lastSyncedAt']);
        const cursor = meta.cursor ?? 0;
        let last = lastSeq(batch);
        if (last <= cursor) continue;
        if (batch.after > cursor) {
          // A gap: something was committed that we have not seen. The pull covers this
          // batch too, so drop what is queued.
          this.queue = [];
          await this.pull('live');
          // A long gap shows as catching up; once filled, the feed is live again.
          if (this.socket?.connected === true && this.ready) this.setState({ kind: 'online' });
          continue;
        }
        // The batches queued behind it that follow on without a gap go in the same
        // transaction: a burst costs one commit, and one flush to disk, instead of one each.
        const changes = [...batch.changes];
        for (let next = this.queue[0]; next !== undefined && changes.length < LIVE_COALESCE_MAX; next = this.queue[0]) {
          if (next.after > last) break;
          this.queue.shift();
          changes.push(...next.changes);
          last = Math.max(last, lastSeq(next));
        }
        const arrived = await this.unseen(changes, meta.lastSyncedAt ?? 0);
        await withQuotaRecovery(this.options.db, () => applyChanges(this.options.db, changes, last));
        if (arrived.length > 0) this.options.onArrivals?.({ during: 'live', messages: dedupe(arrived) });
      }
    } catch (error) {
      this.options.onInvalidPayload?.('sync', error instanceof Error ? error.message : String(error));
    } finally {
      this.draining = false;
    }
  }
}

/**
 * How much older than the last sync a message may claim to be and still count as news:
 * platforms stamp messages with their own clocks, and deliver some a little late.
 */
const ARRIVAL_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** At most this many live changes are applied in one transaction. */
const LIVE_COALESCE_MAX = 2000;

function lastSeq(batch: LiveBatch): number {
  return Math.max(...batch.changes.map((change) => change.data.seq));
}

/** One entry per message id, keeping the last version seen (a pull may carry one twice). */
function dedupe(messages: readonly Message[]): Message[] {
  return [...new Map(messages.map((message) => [message.id, message])).values()];
}
