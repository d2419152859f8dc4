import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import type { Probe } from './health.js';

/**
 * Redis between the nodes (REDIS_URL). One connection for commands, one for the notices
 * other nodes publish (a subscribed connection runs nothing else), and one handed to
 * socket.io's Streams adapter, which makes its own for reading. Every connection reconnects
 * by itself, backing off to a second between tries; losing Redis and getting it back are
 * logged once each.
 *
 * Commands fail at once while Redis is unreachable (no offline queue): every user of this
 * link has a way to do without it (the node serves its own sockets, the throttle its own
 * bucket) and catches up when `onReady` says it is back.
 */
export type RedisLink = {
  /** This process among the nodes: random at each start. */
  readonly nodeId: string;
  /** Commands: keys, scripts, PUBLISH. */
  readonly client: Redis;
  /** For socket.io's Streams adapter (it keeps its own queue while Redis is away). */
  readonly adapterClient: Redis;
  /** Whether the command connection is up now. */
  up(): boolean;
  /** Calls `listener` each time the command connection is (again) ready. */
  onReady(listener: () => void): () => void;
  /** Subscribes to a channel on the subscriber connection (again after each reconnection). */
  subscribe(channel: string, listener: (message: string) => void): void;
  /** The readiness probe: `redis` answers PING. */
  probe: Probe;
  close(): Promise<void>;
};

/** The longest pause between two tries to reconnect. */
const RECONNECT_MAX_MS = 1_000;

function retryStrategy(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, 50 * 2 ** Math.min(attempt, 5));
}

export function connectRedis(url: string, log: FastifyBaseLogger): RedisLink {
  const nodeId = randomBytes(6).toString('hex');
  const common = { retryStrategy, connectTimeout: 2_000, lazyConnect: false } as const;
  const client = new Redis(url, {
    ...common,
    connectionName: `parley-${nodeId}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  const subscriber = new Redis(url, {
    ...common,
    connectionName: `parley-${nodeId}-sub`,
    maxRetriesPerRequest: 0,
    // Channels are subscribed again on each `ready` below.
    autoResubscribe: false,
  });
  const adapterClient = new Redis(url, { ...common, connectionName: `parley-${nodeId}-io`, maxRetriesPerRequest: 2 });

  let lost = false;
  const readyListeners = new Set<() => void>();
  client.on('ready', () => {
    if (lost) log.info({ nodeId }, 'redis: connection back');
    lost = false;
    for (const listener of readyListeners) listener();
  });
  const onLoss = (error?: Error): void => {
    if (lost || closing) return;
    lost = true;
    log.warn({ nodeId, err: error }, 'redis: connection lost; this node serves its own sockets until it returns');
  };
  client.on('error', (error: Error) => onLoss(error));
  client.on('close', () => onLoss());
  // The other connections report through the command one; their errors are not news.
  subscriber.on('error', () => undefined);
  adapterClient.on('error', () => undefined);

  const channels = new Map<string, (message: string) => void>();
  subscriber.on('message', (channel: string, message: string) => channels.get(channel)?.(message));
  // Subscribed again at each (re)connection: a Redis that restarted empty knows nobody.
  const subscribeAll = (): void => {
    if (channels.size === 0 || subscriber.status !== 'ready') return;
    subscriber.subscribe(...channels.keys()).catch(() => undefined);
  };
  subscriber.on('ready', subscribeAll);

  let closing = false;
  return {
    nodeId,
    client,
    adapterClient,
    up: () => client.status === 'ready',
    onReady: (listener) => {
      readyListeners.add(listener);
      return () => readyListeners.delete(listener);
    },
    subscribe: (channel, listener) => {
      channels.set(channel, listener);
      subscribeAll();
    },
    probe: {
      name: 'redis',
      check: async () => {
        if (client.status !== 'ready') return { ok: false, reason: 'redis_unreachable' };
        const answer = await client.ping().catch(() => null);
        return answer === 'PONG' ? { ok: true } : { ok: false, reason: 'redis_unreachable' };
      },
    },
    close: async () => {
      closing = true;
      readyListeners.clear();
      await Promise.all(
        [client, subscriber, adapterClient].map(async (connection) => {
          if (connection.status !== 'ready') {
            connection.disconnect();
            return;
          }
          await connection.quit().catch(() => connection.disconnect());
        }),
      );
    },
  };
}
