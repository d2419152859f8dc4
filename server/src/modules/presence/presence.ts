import { refusal, type Agent, type Failure, type Presence } from '@parley/protocol';
import { loadChanges } from '../../platform/change-loads.js';
import type { Store } from '../../platform/store.js';
import { agentAvailable } from '../assignment/index.js';

/**
 * Who is Online, Away or Offline. Presence follows the connection:
 * - Online: at least one connected socket, and Away not set;
 * - Away: set by hand (the app, or the desktop on idle, lock or sleep) while connected;
 * - Offline: `offlineAfterMs` after the last socket closed (a reload reconnects well within
 *   it, so the agent does not flap), and as long after the server's start if they have not
 *   reconnected by then (a restart does not flap them either).
 *
 * Each change is written to the agent's row (presence, presence_at) with a new seq, so
 * every supervisor's client gets it in the live feed; auto-assignment reads it there. An
 * agent coming Online (or back from Away) is offered their teams' queue in the same write.
 *
 * The state (sockets per agent, Away set by hand) is kept per process, behind `PresenceState`,
 * so a shared store can replace it when the server runs on several processes.
 */

export type PresenceClock = {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export const systemClock: PresenceClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => {
    const handle = setTimeout(run, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A closed app or a lost network counts as Offline after this (with socket.io's ping timeout, under 30 s). */
export const OFFLINE_AFTER_MS = 15_000;

export type PresenceState = {
  /** A socket of this agent connected. */
  connected(agentId: string, socketId: string): Promise<void>;
  /** A socket closed; the agent goes Offline after the grace if it was their last. */
  disconnected(agentId: string, socketId: string): void;
  /** Away or back Online, by hand. Without a connection the agent stays Offline until they connect. */
  set(agentId: string, presence: 'online' | 'away'): Promise<Agent | Failure>;
  /** What the agent is now, as this process knows it. */
  current(agentId: string): Presence;
};

/** The presence a server runs: the state, plus its start (after a restart) and its stop. */
export type PresenceService = PresenceState & {
  /** Called once at the start: nobody is connected to this process yet. */
  reset(): Promise<void>;
  /** The server is closing. */
  stop(): void;
};

export class PresenceTracker implements PresenceService {
  private readonly sockets = new Map<string, Set<string>>();
  private readonly away = new Set<string>();
  private readonly leaving = new Map<string, unknown>();
  /** Writes in the order the events came, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly options: {
      clock?: PresenceClock;
      offlineAfterMs?: number;
      onError?: (error: unknown) => void;
    } = {},
  ) {}

  private get clock(): PresenceClock {
    return this.options.clock ?? systemClock;
  }

  /**
   * After a start nobody is connected yet, but a restart is not the agents leaving: whoever
   * the store holds present gets the grace a closed socket gets, as they were (Away stays
   * Away). Their apps reconnecting within it change nothing, so a restart with hundreds of
   * agents connected writes and sends no presence at all; the others go Offline when it ends.
   */
  reset(): Promise<void> {
    return this.enqueue(async () => {
      const present = await this.store.db
        .selectFrom('agents')
        .select(['id', 'presence'])
        .where('presence', '!=', 'offline')
        .execute();
      for (const agent of present) {
        if (this.sockets.has(agent.id) || this.leaving.has(agent.id)) continue;
        if (agent.presence === 'away') this.away.add(agent.id);
        this.startGrace(agent.id);
      }
    });
  }

  current(agentId: string): Presence {
    const open = this.sockets.get(agentId);
    if (open === undefined || open.size === 0) return this.leaving.has(agentId) ? this.held(agentId) : 'offline';
    return this.away.has(agentId) ? 'away' : 'online';
  }

  /** During the grace the agent keeps what they were. */
  private held(agentId: string): Presence {
    return this.away.has(agentId) ? 'away' : 'online';
  }

  connected(agentId: string, socketId: string): Promise<void> {
    const pending = this.leaving.get(agentId);
    if (pending !== undefined) {
      this.clock.clearTimeout(pending);
      this.leaving.delete(agentId);
    }
    let open = this.sockets.get(agentId);
    if (open === undefined) this.sockets.set(agentId, (open = new Set()));
    open.add(socketId);
    return this.publish(agentId);
  }

  disconnected(agentId: string, socketId: string): void {
    const open = this.sockets.get(agentId);
    if (open === undefined) return;
    open.delete(socketId);
    if (open.size > 0) return;
    this.sockets.delete(agentId);
    this.startGrace(agentId);
  }

  /** The agent keeps what they were for the grace, then goes Offline if no socket came back. */
  private startGrace(agentId: string): void {
    const previous = this.leaving.get(agentId);
    if (previous !== undefined) this.clock.clearTimeout(previous);
    const handle = this.clock.setTimeout(() => {
      if (this.leaving.get(agentId) !== handle) return;
      this.leaving.delete(agentId);
      if (this.sockets.has(agentId)) return;
      // Away was for this connection: the next one starts Online.
      this.away.delete(agentId);
      void this.publish(agentId).catch((error: unknown) => this.options.onError?.(error));
    }, this.options.offlineAfterMs ?? OFFLINE_AFTER_MS);
    this.leaving.set(agentId, handle);
  }

  async set(agentId: string, presence: 'online' | 'away'): Promise<Agent | Failure> {
    if (presence === 'away') this.away.add(agentId);
    else this.away.delete(agentId);
    await this.publish(agentId);
    const [change] = await loadChanges(this.store.db, [{ entity: 'agent', id: agentId }]);
    return change?.entity === 'agent' ? change.data : refusal('not_found', 'agent_missing');
  }

  /** Writes the agent's presence if it changed; Online offers them their teams' queue. */
  private publish(agentId: string): Promise<void> {
    return this.enqueue(async () => {
      const presence = this.current(agentId);
      const now = this.clock.now();
      await this.store.write(async (trx, changes) => {
        const row = await trx.selectFrom('agents').select('presence').where('id', '=', agentId).executeTakeFirst();
        if (row === undefined || row.presence === presence) return;
        await trx
          .updateTable('agents')
          .set({ presence, presence_at: now, seq: await changes.nextSeq('agent', agentId) })
          .where('id', '=', agentId)
          .execute();
        if (presence === 'online') await agentAvailable(trx, changes, agentId, now);
      });
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stops the grace timers (the server is closing). */
  stop(): void {
    for (const handle of this.leaving.values()) this.clock.clearTimeout(handle);
    this.leaving.clear();
  }
}

/** One presence per store in this process: the socket layer and the API share it. */
const trackers = new WeakMap<Store, PresenceService>();

export function presenceOf(store: Store): PresenceService {
  let tracker = trackers.get(store);
  if (tracker === undefined) trackers.set(store, (tracker = new PresenceTracker(store)));
  return tracker;
}

/** Replaces this store's presence before anything asked for it: the one shared by several nodes. */
export function usePresence(store: Store, presence: PresenceService): void {
  trackers.set(store, presence);
}
