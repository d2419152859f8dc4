import type { Mutation, MutationResult, Result, SetPresence } from '@parley/protocol';
import { withQuotaRecovery } from '../data/quota.js';
import { Connection } from './connection.js';
import { OutboxDrainer } from './drainer.js';
import { HistoryFetcher } from './historyFetch.js';
import type { ConnectionState, HistoryResult, SyncEngineOptions } from './link.js';
import { LiveFeed } from './live.js';
import { sendMutation } from './mutate.js';
import { PeerTracker, sendPresence } from './peers.js';
import { Puller } from './pull.js';
import { TypingThrottle, sendTyping } from './typing.js';

export {
  BOOTSTRAP_BOUNDS,
  HISTORY_PAGE_SIZE,
  type Arrivals,
  type BootstrapBounds,
  type ConnectionState,
  type EngineFailure,
  type HistoryResult,
  type SyncEngineOptions,
} from './link.js';

/**
 * Keeps the local database in step with the server: on every connect it says hello,
 * pulls every change after its cursor in pages, then applies live batches, pulling again
 * whenever a batch shows it has missed something. The cursor only moves in the same
 * transaction as the changes it covers.
 *
 * Each job has its own module: the connection (socket, hello, state), the pull, the live
 * feed, the outbox drainer, history and typing; this class composes them.
 */
export class SyncEngine {
  private readonly connection: Connection;
  private readonly puller: Puller;
  private readonly live: LiveFeed;
  private readonly outbox: OutboxDrainer;
  private readonly history: HistoryFetcher;
  private readonly typingThrottle = new TypingThrottle();
  /** Who else views or types in each conversation, as the server last said. */
  readonly peers: PeerTracker;

  constructor(options: SyncEngineOptions) {
    this.connection = new Connection(options, {
      catchUp: () => this.puller.pull(),
      resume: () => this.live.drain(),
      online: async () => {
        // Back online: what waited out a backoff because we were offline may go at once.
        const db = options.db;
        await withQuotaRecovery(db, () => db.outbox.where('state').equals('queued').modify({ nextAttemptAt: 0 }));
        this.outbox.drain();
        this.history.answerRequests();
        this.peers.announce();
      },
      batch: (batch) => this.live.push(batch),
      peers: (payload) => this.peers.receive(payload),
      disconnected: () => this.peers.clear(),
    });
    this.peers = new PeerTracker(this.connection);
    this.puller = new Puller(this.connection);
    this.live = new LiveFeed(this.connection, this.puller);
    this.outbox = new OutboxDrainer(this.connection, (mutation) => this.mutate(mutation));
    this.history = new HistoryFetcher(this.connection);
  }

  getState = (): ConnectionState => this.connection.getState();

  subscribe = (listener: () => void): (() => void) => this.connection.subscribe(listener);

  start(): void {
    if (!this.connection.start()) return;
    this.live.start();
    this.outbox.start();
    this.history.start();
  }

  stop(): void {
    this.outbox.stop();
    this.history.stop();
    this.live.stop();
    this.connection.stop();
  }

  /**
   * Sends one mutation and waits for the server's answer, validated. Offline, it fails at
   * once with words to show and queues nothing: this is the request the outbox drainer
   * uses; views write to the outbox with `enqueue` instead.
   */
  mutate(mutation: Mutation): Promise<MutationResult> {
    return sendMutation(this.connection, mutation, (sent) => {
      if (sent.type === 'message.send') this.typingThrottle.reset(sent.conversationId);
    });
  }

  /** Tells the customer the agent is typing: throttled, best effort, dropped when offline. */
  typing(conversationId: string): void {
    sendTyping(this.connection, this.typingThrottle, conversationId);
  }

  /** The thread on screen changed (null: none), so colleagues see who else is looking. */
  view(conversationId: string | null): void {
    this.peers.view(conversationId);
  }

  /** Sets the signed-in agent Online or Away by hand. */
  setPresence(presence: SetPresence['presence']): Promise<Result> {
    return sendPresence(this.connection, presence);
  }

  /** Fetches the page of messages before the oldest cached one of a conversation. */
  fetchHistory(conversationId: string): Promise<HistoryResult> {
    return this.history.fetch(conversationId);
  }
}
