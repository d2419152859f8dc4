import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { UpdateStatusSchema } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_ORIGIN } from '../src/app-origin.js';
import { DesktopIpc, IpcArgumentError, type InvokeEvent, type InvokeListener } from '../src/ipc.js';
import { updatePhase, updateStatusForPage, type UpdateFacts } from '../src/update-status.js';
import { UpdateService, readUpdateChannel, writeUpdateChannel, type UpdateState } from '../src/updates.js';
import { createWindowHandlers } from '../src/window-handlers.js';
import type { DesktopHandlers } from '../src/ipc.js';

const facts = (state: UpdateState, change: Partial<UpdateFacts> = {}): UpdateFacts => ({
  state,
  appVersion: '1.4.0',
  channel: 'stable',
  nextCheckAt: null,
  lastCheckedAt: null,
  ...change,
});

describe('the update state the page sees', () => {
  it('maps each state of the service', () => {
    expect(updatePhase(facts({ kind: 'disabled', reason: 'no-feed-url' }))).toEqual({ kind: 'disabled' });
    expect(updatePhase(facts({ kind: 'idle' }, { lastCheckedAt: 1000 }))).toEqual({
      kind: 'upToDate',
      checkedAt: 1000,
    });
    expect(updatePhase(facts({ kind: 'checking' }))).toEqual({ kind: 'checking' });
    expect(updatePhase(facts({ kind: 'downloading', version: '1.5.0', percent: 42.6 }))).toEqual({
      kind: 'downloading',
      version: '1.5.0',
      percent: 43,
    });
    expect(updatePhase(facts({ kind: 'ready', version: '1.5.0' }))).toEqual({ kind: 'ready', version: '1.5.0' });
  });

  it('tells a failure with when it is tried again', () => {
    expect(updatePhase(facts({ kind: 'error', code: 'unreachable' }, { nextCheckAt: 90_000 }))).toEqual({
      kind: 'failed',
      code: 'unreachable',
      retryAt: 90_000,
    });
  });

  it('answers a status the protocol accepts, with the version and channel', () => {
    const status = updateStatusForPage(facts({ kind: 'ready', version: '2.0.0-beta.1' }, { channel: 'beta' }));
    expect(status).toEqual({ version: '1.4.0', channel: 'beta', phase: { kind: 'ready', version: '2.0.0-beta.1' } });
    expect(UpdateStatusSchema.safeParse(status).success).toBe(true);
  });
});

class ScriptedUpdater extends EventEmitter {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  allowPrerelease = false;
  allowDowngrade = true;
  channel: string | null = null;
  checks = 0;
  setFeedURL(): void {}
  checkForUpdates(): Promise<null> {
    this.checks += 1;
    return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
  }
  quitAndInstall(): void {}
}

describe('UpdateService for the page', () => {
  it('says when it retries after a failure, and switches channel with a new check', async () => {
    const updater = new ScriptedUpdater();
    const states: UpdateState[] = [];
    let now = 1_000;
    const service = new UpdateService(updater, {
      feed: { url: 'https://updates.example/parley', channel: 'stable' },
      onState: (state) => states.push(state),
      log: () => undefined,
      schedule: () => () => undefined,
      now: () => now,
      retryBaseMs: 60_000,
    });
    service.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(service.current).toEqual({ kind: 'error', code: 'unreachable' });
    expect(service.nextCheckAt).toBe(61_000);
    now = 5_000;
    service.setChannel('beta');
    expect(updater).toMatchObject({ channel: 'beta', allowPrerelease: true, allowDowngrade: false });
    expect(service.channel).toBe('beta');
    expect(updater.checks).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    service.setChannel('stable');
    expect(updater).toMatchObject({ channel: 'latest', allowPrerelease: false, allowDowngrade: false });
    service.dispose();
    expect(service.nextCheckAt).toBeNull();
  });

  it('keeps the chosen channel even when updates are off', () => {
    const service = new UpdateService(new ScriptedUpdater(), {
      feed: null,
      onState: () => undefined,
      log: () => undefined,
    });
    service.setChannel('beta');
    service.start();
    expect(service.channel).toBe('beta');
    expect(service.current).toEqual({ kind: 'disabled', reason: 'no-feed-url' });
  });
});

describe('the update channel setting', () => {
  let dir = '';
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('is written where readUpdateChannel reads it', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'parley-updates-'));
    const file = path.join(dir, 'update-settings.json');
    expect(await readUpdateChannel(file)).toBe('stable');
    await writeUpdateChannel(file, 'beta');
    expect(await readUpdateChannel(file)).toBe('beta');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ channel: 'beta' });
  });
});

describe('the channels of deep links, windows, spellcheck and updates', () => {
  function wired() {
    const listeners = new Map<string, InvokeListener>();
    const calls: string[] = [];
    const windowHandlers = createWindowHandlers({
      takeDeepLink: () => ({ conversationId: 'c1' }),
      popOut: (id) => void calls.push(`popOut ${id}`),
      spellcheck: {
        info: () => ({ systemManaged: false, available: ['en-US'], selected: ['en-US'] }),
        set: (languages) => {
          calls.push(`spell ${languages.join(',')}`);
          return [...languages];
        },
      },
      updates: {
        status: () => ({ version: '1.0.0', channel: 'stable', phase: { kind: 'checking' } }),
        check: () => void calls.push('check'),
        install: () => false,
        setChannel: (channel) => {
          calls.push(`channel ${channel}`);
          return Promise.resolve();
        },
      },
    });
    const handlers = new Proxy(windowHandlers, {
      get: (target, key: string) => (target as Record<string, unknown>)[key] ?? (() => undefined),
    }) as DesktopHandlers;
    new DesktopIpc(
      { handle: (channel, listener) => void listeners.set(channel, listener), removeHandler: () => undefined },
      APP_ORIGIN,
      handlers,
    ).start();
    const call = (channel: string, ...args: unknown[]): Promise<unknown> => {
      const listener = listeners.get(channel);
      if (listener === undefined) throw new Error(channel);
      return listener({ senderFrame: { url: `${APP_ORIGIN}/index.html` } } as InvokeEvent, ...args);
    };
    return { call, calls };
  }

  it('does what each asks with valid arguments', async () => {
    const { call, calls } = wired();
    await expect(call('deepLink:take')).resolves.toEqual({ conversationId: 'c1' });
    await expect(call('window:popOut', { conversationId: 'c-42' })).resolves.toBeUndefined();
    await expect(call('spellcheck:setLanguages', ['fr-FR', 'en'])).resolves.toEqual(['fr-FR', 'en']);
    await expect(call('update:getStatus')).resolves.toMatchObject({ phase: { kind: 'checking' } });
    await expect(call('update:check')).resolves.toBeUndefined();
    await expect(call('update:install')).resolves.toBe(false);
    await expect(call('update:setChannel', 'beta')).resolves.toBeUndefined();
    expect(calls).toEqual(['popOut c-42', 'spell fr-FR,en', 'check', 'channel beta']);
  });

  it('refuses malformed arguments before anything runs', async () => {
    const { call, calls } = wired();
    await expect(call('window:popOut', { conversationId: '../x' })).rejects.toThrow(IpcArgumentError);
    await expect(call('window:popOut', 'c1')).rejects.toThrow(IpcArgumentError);
    await expect(call('spellcheck:setLanguages', ['en-US; rm -rf'])).rejects.toThrow(IpcArgumentError);
    await expect(
      call(
        'spellcheck:setLanguages',
        Array.from({ length: 9 }, () => 'en'),
      ),
    ).rejects.toThrow(IpcArgumentError);
    await expect(call('update:setChannel', 'nightly')).rejects.toThrow(IpcArgumentError);
    await expect(call('update:check', 'now')).rejects.toThrow(IpcArgumentError);
    expect(calls).toEqual([]);
  });
});
