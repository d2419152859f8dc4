/**
 * Presence from the operating system: idle for a while (the setting), the screen locked or
 * the computer asleep make an online agent Away; coming back (input again, unlocked,
 * awake) makes them Online again, but only when it was the system that made them Away: an
 * agent who chose Away (or was Offline) stays as they were.
 *
 * `PresenceMachine` is the pure rule, fed the page's reports and the system's signals;
 * `PowerPresenceWatcher` feeds it from Electron's `powerMonitor` and a polling timer, both
 * injected.
 */
import type { Presence, PresenceReason } from '@parley/protocol';

export type PowerSignal = 'lock-screen' | 'unlock-screen' | 'suspend' | 'resume';

/** What the machine asks of the page: set this presence, for this reason. */
export type PresenceCommand = { presence: 'online' | 'away'; reason: PresenceReason };

type Cause = 'idle' | 'lock-screen' | 'suspend';

export class PresenceMachine {
  /** The presence the page last reported; null until it has. */
  private reported: Presence | null = null;
  /** Why the system holds the agent away; empty when it does not. */
  private readonly causes = new Set<Cause>();
  /** Whether the system (not the agent) made them Away. */
  private awayBySystem = false;

  get presence(): Presence | null {
    return this.reported;
  }

  get heldAway(): boolean {
    return this.awayBySystem;
  }

  /**
   * The page's report of the presence the server holds. Online while the system held them
   * away means the agent came back by hand; Offline is the connection, not a choice.
   */
  report(presence: Presence): void {
    this.reported = presence;
    if (presence === 'online' && this.awayBySystem) {
      this.awayBySystem = false;
      this.causes.clear();
    }
  }

  /** The agent chose a presence by hand (the tray): the system no longer holds them. */
  chose(): void {
    this.awayBySystem = false;
    this.causes.clear();
  }

  /** A lock, unlock, sleep or wake from the system. */
  signal(signal: PowerSignal): PresenceCommand | null {
    if (signal === 'lock-screen' || signal === 'suspend') return this.leave(signal);
    // Unlocking or waking up is the agent at the keyboard again: every cause is gone.
    return this.back(signal);
  }

  /**
   * The system's idle time, polled. `idleMinutes` 0 turns idle detection off (and lifts an
   * idle it made).
   */
  idle(idleSeconds: number, idleMinutes: number): PresenceCommand | null {
    const idle = idleMinutes > 0 && idleSeconds >= idleMinutes * 60;
    if (idle) return this.causes.has('idle') ? null : this.leave('idle');
    if (!this.causes.has('idle')) return null;
    this.causes.delete('idle');
    // Still locked or asleep: activity under a lock screen is not the agent coming back.
    return this.causes.size === 0 ? this.back('active') : null;
  }

  private leave(cause: Cause): PresenceCommand | null {
    if (this.awayBySystem) {
      this.causes.add(cause);
      return null;
    }
    // Only an online agent is made Away: one who chose Away, or is Offline, stays so.
    if (this.reported !== 'online') return null;
    this.causes.add(cause);
    this.awayBySystem = true;
    return { presence: 'away', reason: cause };
  }

  private back(reason: PresenceReason): PresenceCommand | null {
    this.causes.clear();
    if (!this.awayBySystem) return null;
    this.awayBySystem = false;
    return { presence: 'online', reason };
  }
}

/** What the watcher uses of Electron's `powerMonitor`. */
export type PowerMonitorLike = {
  on(event: PowerSignal, listener: () => void): unknown;
  removeListener(event: PowerSignal, listener: () => void): unknown;
  getSystemIdleTime(): number;
};

export type PowerPresenceDeps = {
  powerMonitor: PowerMonitorLike;
  machine: PresenceMachine;
  idleMinutes(): number;
  send(command: PresenceCommand): void;
  setInterval(run: () => void, ms: number): unknown;
  clearInterval(timer: unknown): void;
};

/** How often the idle time is read. */
export const IDLE_POLL_MS = 15_000;

const SIGNALS: readonly PowerSignal[] = ['lock-screen', 'unlock-screen', 'suspend', 'resume'];

export class PowerPresenceWatcher {
  private timer: unknown = null;
  private readonly listeners = new Map<PowerSignal, () => void>();

  constructor(private readonly deps: PowerPresenceDeps) {}

  start(): void {
    if (this.timer !== null) return;
    for (const signal of SIGNALS) {
      const listener = (): void => this.emit(this.deps.machine.signal(signal));
      this.listeners.set(signal, listener);
      this.deps.powerMonitor.on(signal, listener);
    }
    this.timer = this.deps.setInterval(() => this.poll(), IDLE_POLL_MS);
  }

  /** Reads the idle time now (the timer does it every `IDLE_POLL_MS`). */
  poll(): void {
    this.emit(this.deps.machine.idle(this.deps.powerMonitor.getSystemIdleTime(), this.deps.idleMinutes()));
  }

  dispose(): void {
    if (this.timer !== null) this.deps.clearInterval(this.timer);
    this.timer = null;
    for (const [signal, listener] of this.listeners) this.deps.powerMonitor.removeListener(signal, listener);
    this.listeners.clear();
  }

  private emit(command: PresenceCommand | null): void {
    if (command !== null) this.deps.send(command);
  }
}
