import { PresenceSchema, refusal, type Agent, type Failure, type Presence } from '@parley/protocol';
import type { RedisLink } from '../../platform/redis.js';
import { loadChanges } from '../../platform/change-loads.js';
import type { Store } from '../../platform/store.js';
import { agentAvailable } from '../assignment/index.js';
import { OFFLINE_AFTER_MS, type PresenceService } from './presence.js';

/**
 * Presence when several nodes serve the same agents (REDIS_URL). An agent's sockets, on
 * whichever node, are one sorted set in Redis (`parley:presence:<agent>`), each socket
 * scored with the time it stops counting:
 *
 * - a connected socket counts for LEASE_MS, and its node renews it every RENEW_MS, so the
 *   sockets of a node that died stop counting within LEASE_MS;
 * - a closed socket counts for OFFLINE_AFTER_MS more: the grace a reload reconnects within;
 * - an agent with no socket counting anywhere is Offline. The node where the last socket
 *   closed settles that after the grace, and every node sweeps every SWEEP_MS for agents
 *   the database says are present and Redis says are not (a node that died).
 *
 * Away lives in the agent's row, which every node reads: a connection while Away stays
 * Away, and going Offline ends it. While Redis is unreachable a node still knows its own
 * sockets: it makes their agents Online and never Offline (it cannot see the other nodes),
 * and the sweep waits a lease after Redis returns, for every node to have counted its
 * sockets again, before it makes anyone Offline.
 */

export const LEASE_MS = 15_000;
export const RENEW_MS = 5_000;
export const SWEEP_MS = 5_000;

const keyOf = (agentId: string): string => `parley:presence:${agentId}`;

export class SharedPresence implements PresenceService {
  /** This node's sockets, by agent. */
  private readonly sockets = new Map<string, Set<string>>();
  private readonly graceTimers = new Set<NodeJS.Timeout>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** Since when Redis has been up without a break (null: down). */
  private upSince: number | null;
  private readonly stopReady: () => void;
  private stopped = false;
  /** Writes one at a time, in the order the events came. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly redis: RedisLink,
    private readonly options: {
      onError?: (error: unknown) => void;
      /** Shorter times for tests; LEASE_MS, RENEW_MS, SWEEP_MS and OFFLINE_AFTER_MS otherwise. */
      leaseMs?: number;
      renewMs?: number;
      sweepMs?: number;
      graceMs?: number;
    } = {},
  ) {
    this.upSince = redis.up() ? Date.now() : null;
    this.stopReady = redis.onReady(() => {
      this.upSince = Date.now();
      void this.renew();
    });
    redis.client.on('close', () => {
      this.upSince = null;
    });
  }

  private get lease(): number {
    return this.options.leaseMs ?? LEASE_MS;
  }

  private get grace(): number {
    return this.options.graceMs ?? OFFLINE_AFTER_MS;
  }

  /** Starts renewing this node's sockets and sweeping for agents no node holds. */
  reset(): Promise<void> {
    const renew = setInterval(() => void this.renew(), this.options.renewMs ?? RENEW_MS);
    const sweep = setInterval(() => void this.sweep(), this.options.sweepMs ?? SWEEP_MS);
    renew.unref();
    sweep.unref();
    this.timers.push(renew, sweep);
    return Promise.resolve();
  }

  current(agentId: string): Presence {
    return (this.sockets.get(agentId)?.size ?? 0) > 0 ? 'online' : 'offline';
  }

  async connected(agentId: string, socketId: string): Promise<void> {
    let open = this.sockets.get(agentId);
    if (open === undefined) this.sockets.set(agentId, (open = new Set()));
    open.add(socketId);
    await this.count(agentId, socketId, Date.now() + this.lease);
    await this.settle(agentId, true);
  }

  disconnected(agentId: string, socketId: string): void {
    const open = this.sockets.get(agentId);
    open?.delete(socketId);
    if (open?.size === 0) this.sockets.delete(agentId);
    void this.count(agentId, socketId, Date.now() + this.grace);
    // A node stopping leaves the settling to the others' sweeps.
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.graceTimers.delete(timer);
      this.settle(agentId, null).catch((error: unknown) => this.options.onError?.(error));
    }, this.grace + 100);
    timer.unref();
    this.graceTimers.add(timer);
  }

  async set(agentId: string, presence: 'online' | 'away'): Promise<Agent | Failure> {
    const present = (this.sockets.get(agentId)?.size ?? 0) > 0 || (await this.counted(agentId)) === true;
    // Without a connection anywhere the agent stays Offline until they connect.
    if (present) await this.write(agentId, () => presence);
    const [change] = await loadChanges(this.store.db, [{ entity: 'agent', id: agentId }]);
    return change?.entity === 'agent' ? change.data : refusal('not_found', 'agent_missing');
  }

  stop(): void {
    this.stopped = true;
    for (const timer of [...this.timers, ...this.graceTimers]) clearTimeout(timer);
    this.timers.length = 0;
    this.graceTimers.clear();
    this.stopReady();
    // This node's sockets are gone: they stop counting after the grace, not the lease.
    const until = Date.now() + this.grace;
    for (const [agentId, open] of this.sockets) for (const socketId of open) void this.count(agentId, socketId, until);
    this.sockets.clear();
  }

  /**
   * Writes what the agent is now: `present` when known (a socket of theirs is here), else
   * asked of Redis; unknown (Redis away, no socket here) changes nothing.
   */
  private async settle(agentId: string, present: boolean | null): Promise<void> {
    const known = (this.sockets.get(agentId)?.size ?? 0) > 0 ? true : (present ?? (await this.counted(agentId)));
    if (known === null) return;
    await this.write(agentId, (row) => (known ? (row === 'offline' ? 'online' : row) : 'offline'));
  }

  /** Whether any socket of the agent counts now, on any node; null when Redis cannot say. */
  private async counted(agentId: string): Promise<boolean | null> {
    if (!this.redis.up()) return null;
    try {
      const live = await this.redis.client.zcount(keyOf(agentId), Date.now(), '+inf');
      return live > 0;
    } catch {
      return null;
    }
  }

  private async count(agentId: string, socketId: string, until: number): Promise<void> {
    if (!this.redis.up()) return;
    const key = keyOf(agentId);
    await this.redis.client
      .multi()
      .zadd(key, until, `${this.redis.nodeId}:${socketId}`)
      .zremrangebyscore(key, '-inf', Date.now())
      .pexpire(key, Math.max(this.lease, this.grace) * 4)
      .exec()
      .catch(() => undefined);
  }

  /** Renews this node's sockets, and makes Online those of its agents a sweep took for gone. */
  private async renew(): Promise<void> {
    try {
      const until = Date.now() + this.lease;
      for (const [agentId, open] of this.sockets) {
        for (const socketId of open) await this.count(agentId, socketId, until);
      }
      const mine = [...this.sockets.keys()];
      if (mine.length === 0) return;
      const offline = await this.store.db
        .selectFrom('agents')
        .select('id')
        .where('id', 'in', mine)
        .where('presence', '=', 'offline')
        .execute();
      for (const row of offline) await this.settle(row.id, true);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Agents the database holds present that no node counts any more (their node died). */
  private async sweep(): Promise<void> {
    // Every node counts its sockets again within a lease of Redis coming back (empty, maybe).
    if (this.upSince === null || Date.now() - this.upSince < this.lease) return;
    try {
      const present = await this.store.db
        .selectFrom('agents')
        .select('id')
        .where('presence', '!=', 'offline')
        .execute();
      for (const row of present) {
        if (this.sockets.has(row.id)) continue;
        if ((await this.counted(row.id)) === false) await this.settle(row.id, false);
      }
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Writes the agent's presence if `decide` changes it; coming Online offers them their teams' queue. */
  private write(agentId: string, decide: (current: Presence) => Presence): Promise<void> {
    const next = this.queue.then(async () => {
      const now = Date.now();
      await this.store.write(async (trx, changes) => {
        const row = await trx.selectFrom('agents').select('presence').where('id', '=', agentId).executeTakeFirst();
        if (row === undefined) return;
        const presence = decide(PresenceSchema.catch('offline').parse(row.presence));
        if (row.presence === presence) return;
        await trx
          .updateTable('agents')
          .set({ presence, presence_at: now, seq: await changes.nextSeq('agent', agentId) })
          .where('id', '=', agentId)
          .execute();
        if (presence === 'online') await agentAvailable(trx, changes, agentId, now);
      });
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
