import type { NativeNotification } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import {
  MAX_KEPT,
  NotificationCenter,
  TEST_TIMEOUT_MS,
  type NotificationLike,
  type NotificationOptions,
} from '../src/notifications.js';

class FakeNotification implements NotificationLike {
  readonly listeners = new Map<string, Array<(...args: unknown[]) => void>>();
  shown = false;
  closed = false;
  constructor(readonly options: NotificationOptions) {}
  on(event: string, listener: (...args: never[]) => void): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as (...args: unknown[]) => void);
    this.listeners.set(event, list);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
    this.emit('close');
  }
}

function setup(supported = true, platform = 'darwin') {
  const created: FakeNotification[] = [];
  const calls: string[] = [];
  const timers: Array<{ run: () => void; ms: number; cleared: boolean }> = [];
  const center = new NotificationCenter({
    platform,
    isSupported: () => supported,
    create: (options) => {
      const notification = new FakeNotification(options);
      created.push(notification);
      return notification;
    },
    bringForward: () => calls.push('forward'),
    openConversation: (id) => calls.push(`open ${id}`),
    setTimeout: (run, ms) => {
      const timer = { run, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (timer) => {
      (timer as { cleared: boolean }).cleared = true;
    },
    log: () => undefined,
  });
  return { center, created, calls, timers };
}

const message = (id: string, conversationId: string | null = 'c1'): NativeNotification => ({
  id,
  title: 'Ada Lovelace',
  body: 'Hello',
  conversationId,
  silent: false,
});

describe('NotificationCenter.show', () => {
  it('shows a native notification with the words and the silence asked for', () => {
    const { center, created } = setup();
    expect(center.show({ ...message('a'), silent: true })).toBe(true);
    expect(created).toHaveLength(1);
    expect(created[0]?.options).toEqual({ title: 'Ada Lovelace', body: 'Hello', silent: true });
    expect(created[0]?.shown).toBe(true);
  });

  it("shows a customer's markup as text on Linux, whose daemon would read it", () => {
    const body = '<b>cheap</b> <a href="https://evil.example">pay here</a> & more';
    const linux = setup(true, 'linux');
    linux.center.show({ ...message('a'), body });
    expect(linux.created[0]?.options.body).toBe(
      '&lt;b&gt;cheap&lt;/b&gt; &lt;a href="https://evil.example"&gt;pay here&lt;/a&gt; &amp; more',
    );
    const mac = setup(true, 'darwin');
    mac.center.show({ ...message('a'), body });
    expect(mac.created[0]?.options.body).toBe(body);
  });

  it('brings the window forward and opens the conversation on a click', () => {
    const { center, created, calls } = setup();
    center.show(message('a', 'conversation-7'));
    created[0]?.emit('click');
    expect(calls).toEqual(['forward', 'open conversation-7']);
  });

  it('only brings the window forward for a notification of no conversation (the digest)', () => {
    const { center, created, calls } = setup();
    center.show(message('parley:summary', null));
    created[0]?.emit('click');
    expect(calls).toEqual(['forward']);
  });

  it('replaces a shown notification of the same id instead of piling up', () => {
    const { center, created } = setup();
    center.show(message('parley:summary', null));
    center.show(message('parley:summary', null));
    expect(created[0]?.closed).toBe(true);
    expect(created[1]?.closed).toBe(false);
    center.show(message('other'));
    expect(created[1]?.closed).toBe(false);
  });

  it('shows nothing without a notification service', () => {
    const { center, created } = setup(false);
    expect(center.show(message('a'))).toBe(false);
    expect(created).toHaveLength(0);
  });

  it('keeps at most MAX_KEPT notifications for their clicks', () => {
    const { center, created, calls } = setup();
    for (let index = 0; index <= MAX_KEPT; index += 1) center.show(message(`n${index}`, `c${index}`));
    // The oldest was let go, not closed: it stays on screen, and its click still works.
    expect(created[0]?.closed).toBe(false);
    created[MAX_KEPT]?.emit('click');
    expect(calls).toEqual(['forward', `open c${MAX_KEPT}`]);
  });

  it('closes what is still shown on dispose', () => {
    const { center, created } = setup();
    center.show(message('a'));
    center.dispose();
    expect(created[0]?.closed).toBe(true);
  });
});

describe('NotificationCenter.test', () => {
  it('says shown when the system shows it', async () => {
    const { center, created, timers } = setup();
    const outcome = center.test({ title: 'Test', body: 'It works' });
    created[0]?.emit('show');
    await expect(outcome).resolves.toBe('shown');
    expect(timers[0]?.cleared).toBe(true);
  });

  it("says failed on Windows' failed event", async () => {
    const { center, created } = setup();
    const outcome = center.test({ title: 'Test', body: 'It works' });
    created[0]?.emit('failed', {}, 'notifications are off');
    await expect(outcome).resolves.toBe('failed');
  });

  it('says noShow when nothing came back in time (macOS without permission)', async () => {
    const { center, timers } = setup();
    const outcome = center.test({ title: 'Test', body: 'It works' });
    expect(timers[0]?.ms).toBe(TEST_TIMEOUT_MS);
    timers[0]?.run();
    await expect(outcome).resolves.toBe('noShow');
  });

  it('says unsupported without a notification service (Linux without a daemon)', async () => {
    const { center, created } = setup(false);
    await expect(center.test({ title: 'Test', body: 'It works' })).resolves.toBe('unsupported');
    expect(created).toHaveLength(0);
  });

  it('keeps the first answer', async () => {
    const { center, created, timers } = setup();
    const outcome = center.test({ title: 'Test', body: 'It works' });
    created[0]?.emit('show');
    timers[0]?.run();
    await expect(outcome).resolves.toBe('shown');
  });
});
