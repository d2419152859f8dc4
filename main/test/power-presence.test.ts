import { describe, expect, it } from 'vitest';
import {
  IDLE_POLL_MS,
  PowerPresenceWatcher,
  PresenceMachine,
  type PowerMonitorLike,
  type PowerSignal,
  type PresenceCommand,
} from '../src/power-presence.js';

function online(): PresenceMachine {
  const machine = new PresenceMachine();
  machine.report('online');
  return machine;
}

describe('PresenceMachine', () => {
  it('makes an online agent away when the screen locks, and online again on unlock', () => {
    const machine = online();
    expect(machine.signal('lock-screen')).toEqual({ presence: 'away', reason: 'lock-screen' });
    machine.report('away');
    expect(machine.signal('unlock-screen')).toEqual({ presence: 'online', reason: 'unlock-screen' });
  });

  it('does the same for sleep and wake', () => {
    const machine = online();
    expect(machine.signal('suspend')).toEqual({ presence: 'away', reason: 'suspend' });
    machine.report('away');
    expect(machine.signal('resume')).toEqual({ presence: 'online', reason: 'resume' });
  });

  it('makes them away after the idle minutes, and back on activity', () => {
    const machine = online();
    expect(machine.idle(4 * 60 + 59, 5)).toBeNull();
    expect(machine.idle(5 * 60, 5)).toEqual({ presence: 'away', reason: 'idle' });
    machine.report('away');
    expect(machine.idle(6 * 60, 5)).toBeNull();
    expect(machine.idle(2, 5)).toEqual({ presence: 'online', reason: 'active' });
  });

  it('never detects idle with 0 minutes', () => {
    const machine = online();
    expect(machine.idle(10 * 60 * 60, 0)).toBeNull();
  });

  it('leaves an agent who chose Away as they are', () => {
    const machine = new PresenceMachine();
    machine.report('away');
    expect(machine.signal('lock-screen')).toBeNull();
    expect(machine.signal('unlock-screen')).toBeNull();
    expect(machine.idle(60 * 60, 5)).toBeNull();
    expect(machine.idle(1, 5)).toBeNull();
  });

  it('leaves an offline agent as they are, and does nothing before the page reports', () => {
    const machine = new PresenceMachine();
    expect(machine.signal('lock-screen')).toBeNull();
    machine.report('offline');
    expect(machine.signal('suspend')).toBeNull();
    expect(machine.signal('resume')).toBeNull();
  });

  it('does not bring them back while still locked, even if idle ends under the lock', () => {
    const machine = online();
    expect(machine.idle(10 * 60, 5)).toEqual({ presence: 'away', reason: 'idle' });
    machine.report('away');
    expect(machine.signal('lock-screen')).toBeNull();
    expect(machine.idle(0, 5)).toBeNull();
    expect(machine.signal('unlock-screen')).toEqual({ presence: 'online', reason: 'unlock-screen' });
  });

  it('asks once for away when several causes pile up', () => {
    const machine = online();
    expect(machine.signal('lock-screen')).not.toBeNull();
    machine.report('away');
    expect(machine.idle(10 * 60, 5)).toBeNull();
    expect(machine.signal('suspend')).toBeNull();
  });

  it('stops holding them once they came back online by hand', () => {
    const machine = online();
    machine.signal('lock-screen');
    machine.report('away');
    machine.report('online');
    expect(machine.heldAway).toBe(false);
    // Unlocking now changes nothing: they are online already.
    expect(machine.signal('unlock-screen')).toBeNull();
  });

  it('stops holding them once they chose a presence in the tray', () => {
    const machine = online();
    machine.signal('lock-screen');
    machine.report('away');
    machine.chose();
    expect(machine.signal('unlock-screen')).toBeNull();
  });

  it('keeps holding them across a lost connection (offline is not a choice)', () => {
    const machine = online();
    machine.signal('suspend');
    machine.report('away');
    machine.report('offline');
    expect(machine.heldAway).toBe(true);
    expect(machine.signal('resume')).toEqual({ presence: 'online', reason: 'resume' });
  });
});

class FakePowerMonitor implements PowerMonitorLike {
  idleSeconds = 0;
  readonly listeners = new Map<PowerSignal, Set<() => void>>();
  on(event: PowerSignal, listener: () => void): this {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener);
    this.listeners.set(event, set);
    return this;
  }
  removeListener(event: PowerSignal, listener: () => void): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }
  emit(event: PowerSignal): void {
    for (const listener of this.listeners.get(event) ?? []) listener();
  }
  getSystemIdleTime(): number {
    return this.idleSeconds;
  }
}

describe('PowerPresenceWatcher', () => {
  function setup(idleMinutes = 5) {
    const monitor = new FakePowerMonitor();
    const machine = online();
    const sent: PresenceCommand[] = [];
    const intervals: Array<{ run: () => void; ms: number; cleared: boolean }> = [];
    const watcher = new PowerPresenceWatcher({
      powerMonitor: monitor,
      machine,
      idleMinutes: () => idleMinutes,
      send: (command) => sent.push(command),
      setInterval: (run, ms) => {
        const interval = { run, ms, cleared: false };
        intervals.push(interval);
        return interval;
      },
      clearInterval: (timer) => {
        (timer as { cleared: boolean }).cleared = true;
      },
    });
    return { monitor, machine, sent, intervals, watcher };
  }

  it("sends the machine's commands for the system's signals", () => {
    const { monitor, sent, watcher, machine } = setup();
    watcher.start();
    monitor.emit('lock-screen');
    machine.report('away');
    monitor.emit('unlock-screen');
    expect(sent).toEqual([
      { presence: 'away', reason: 'lock-screen' },
      { presence: 'online', reason: 'unlock-screen' },
    ]);
  });

  it('polls the idle time on its timer', () => {
    const { monitor, sent, watcher, intervals } = setup();
    watcher.start();
    expect(intervals[0]?.ms).toBe(IDLE_POLL_MS);
    monitor.idleSeconds = 301;
    intervals[0]?.run();
    expect(sent).toEqual([{ presence: 'away', reason: 'idle' }]);
  });

  it('stops listening and polling on dispose', () => {
    const { monitor, sent, watcher, intervals } = setup();
    watcher.start();
    watcher.dispose();
    expect(intervals[0]?.cleared).toBe(true);
    monitor.emit('lock-screen');
    expect(sent).toEqual([]);
    expect([...monitor.listeners.values()].every((set) => set.size === 0)).toBe(true);
  });
});
