import type { NativeNotification, Presence, ShellPreferences } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN } from '../src/app-origin.js';
import { createDesktopHandlers, type ShellHandlerDeps } from '../src/handlers.js';
import {
  DesktopIpc,
  IpcArgumentError,
  IpcSenderError,
  parseDesktopArgs,
  sendDesktopEvent,
  type InvokeEvent,
  type InvokeListener,
} from '../src/ipc.js';

/** The notification, badge, tray and presence channels, end to end through the real validation. */
function setup() {
  const calls: unknown[][] = [];
  const shell: ShellHandlerDeps = {
    showNotification: (notification: NativeNotification) => {
      calls.push(['show', notification]);
      return true;
    },
    testNotification: (request) => {
      calls.push(['test', request]);
      return Promise.resolve('failed');
    },
    setBadge: (count: number) => void calls.push(['badge', count]),
    setPreferences: (preferences: ShellPreferences) => void calls.push(['preferences', preferences]),
    presenceChanged: (presence: Presence) => void calls.push(['presence', presence]),
  };
  const listeners = new Map<string, InvokeListener>();
  new DesktopIpc(
    { handle: (channel, listener) => void listeners.set(channel, listener), removeHandler: () => undefined },
    APP_ORIGIN,
    createDesktopHandlers({
      platform: 'linux',
      appVersion: '1',
      serverUrl: 'http://127.0.0.1:1',
      tokens: {
        isSecure: () => true,
        get: () => null,
        set: () => Promise.resolve(true),
        clear: () => Promise.resolve(),
      },
      setLanguage: () => undefined,
      windows: {
        takeDeepLink: () => null,
        popOut: () => undefined,
        spellcheck: { info: () => ({ systemManaged: true, available: [], selected: [] }), set: () => [] },
        updates: {
          status: () => ({ version: '1', channel: 'stable', phase: { kind: 'disabled' } }),
          check: () => undefined,
          install: () => false,
          setChannel: () => Promise.resolve(),
        },
      },
      shell,
    }),
  ).start();
  const invoke = (frameUrl: string, channel: string, ...args: unknown[]): Promise<unknown> => {
    const listener = listeners.get(channel);
    if (listener === undefined) throw new Error(`no ${channel}`);
    return listener({ senderFrame: { url: frameUrl } } as InvokeEvent, ...args);
  };
  return { calls, invoke };
}

const PAGE = 'app://parley/index.html';
const notification: NativeNotification = {
  id: 'parley:c1',
  title: 'Ada',
  body: 'Hello',
  conversationId: 'c1',
  silent: false,
};

describe('the notification channels', () => {
  it('show a valid notification and answer whether it was shown', async () => {
    const { calls, invoke } = setup();
    await expect(invoke(PAGE, 'notification:show', notification)).resolves.toBe(true);
    await expect(invoke(PAGE, 'notification:show', { ...notification, conversationId: null })).resolves.toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('refuse a malformed notification', () => {
    expect(() => parseDesktopArgs('notification:show', [{ ...notification, id: '' }])).toThrow(IpcArgumentError);
    expect(() => parseDesktopArgs('notification:show', [{ ...notification, silent: 'no' }])).toThrow(IpcArgumentError);
    expect(() => parseDesktopArgs('notification:show', [{ ...notification, body: 'x'.repeat(2001) }])).toThrow(
      /argument 0.body/,
    );
    expect(() => parseDesktopArgs('notification:show', [notification, 'extra'])).toThrow(IpcArgumentError);
  });

  it("answer the test's outcome", async () => {
    const { invoke } = setup();
    await expect(invoke(PAGE, 'notification:test', { title: 'Test', body: 'It works' })).resolves.toBe('failed');
  });

  it('refuse another origin', async () => {
    const { calls, invoke } = setup();
    await expect(invoke('https://evil.example/', 'notification:show', notification)).rejects.toThrow(IpcSenderError);
    expect(calls).toEqual([]);
  });
});

describe('the badge, settings and presence channels', () => {
  it('pass valid values on', async () => {
    const { calls, invoke } = setup();
    await invoke(PAGE, 'shell:setBadge', 3);
    await invoke(PAGE, 'shell:setPreferences', { closeToTray: false, idleMinutes: 10 });
    await invoke(PAGE, 'presence:changed', 'away');
    expect(calls).toEqual([
      ['badge', 3],
      ['preferences', { closeToTray: false, idleMinutes: 10 }],
      ['presence', 'away'],
    ]);
  });

  it.each([
    ['shell:setBadge', [-1]],
    ['shell:setBadge', [1.5]],
    ['shell:setBadge', ['3']],
    ['shell:setPreferences', [{ closeToTray: true }]],
    ['shell:setPreferences', [{ closeToTray: true, idleMinutes: 241 }]],
    ['presence:changed', ['busy']],
  ] as const)('refuse %s %j', (channel, args) => {
    expect(() => parseDesktopArgs(channel, args)).toThrow(IpcArgumentError);
  });
});

describe('the presence:set event', () => {
  const target = () => {
    const sent: unknown[][] = [];
    return {
      sent,
      contents: {
        isDestroyed: () => false,
        getURL: () => PAGE,
        send: (channel: string, payload: unknown) => void sent.push([channel, payload]),
      },
    };
  };

  it('carries a presence the server accepts and its reason', () => {
    const { sent, contents } = target();
    expect(sendDesktopEvent(contents, APP_ORIGIN, 'presence:set', { presence: 'away', reason: 'idle' })).toBe(true);
    expect(sent).toEqual([['presence:set', { presence: 'away', reason: 'idle' }]]);
  });

  it('is never sent with a presence the server refuses', () => {
    const { sent, contents } = target();
    expect(() =>
      sendDesktopEvent(contents, APP_ORIGIN, 'presence:set', { presence: 'offline' as 'away', reason: 'tray' }),
    ).toThrow();
    expect(sent).toEqual([]);
  });
});
