import { desktopChannels, type DesktopChannel } from '@parley/protocol';
import { describe, expect, it, vi } from 'vitest';
import { APP_ORIGIN } from '../src/app-origin.js';
import { createDesktopHandlers } from '../src/handlers.js';
import {
  sendDesktopEvent,
  DesktopIpc,
  IpcArgumentError,
  IpcSenderError,
  assertTrustedSender,
  handle,
  parseDesktopArgs,
  type DesktopHandlers,
  type InvokeEvent,
  type InvokeListener,
  type IpcMainLike,
} from '../src/ipc.js';

/** An ipcMain stand-in that lets a test invoke a channel as a given frame. */
class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, InvokeListener>();

  handle(channel: string, listener: InvokeListener): void {
    if (this.listeners.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.listeners.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.listeners.delete(channel);
  }

  invoke(frameUrl: string | null, channel: string, ...args: unknown[]): Promise<unknown> {
    const listener = this.listeners.get(channel);
    if (listener === undefined) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    // Only `url` of the frame is read; the cast stands in for Electron's WebFrameMain.
    const event = { senderFrame: frameUrl === null ? null : { url: frameUrl } } as InvokeEvent;
    return listener(event, ...args);
  }
}

const SERVER = 'http://127.0.0.1:8080';

describe('assertTrustedSender', () => {
  it('accepts our pages', () => {
    expect(() => assertTrustedSender('app://parley/index.html', APP_ORIGIN)).not.toThrow();
    expect(() => assertTrustedSender('app://parley/conversations/1?x#y', APP_ORIGIN)).not.toThrow();
  });

  it.each([
    'https://evil.example/',
    'file:///home/agent/index.html',
    'http://127.0.0.1:8080/',
    'app://evil/index.html',
    'app://parley.evil.example/index.html',
    'about:blank',
    'data:text/html,hi',
    '',
  ])('rejects %s', (url) => {
    expect(() => assertTrustedSender(url, APP_ORIGIN)).toThrow(IpcSenderError);
  });

  it('rejects a frame that is gone', () => {
    expect(() => assertTrustedSender(null, APP_ORIGIN)).toThrow(/sender frame is gone/);
    expect(() => assertTrustedSender(undefined, APP_ORIGIN)).toThrow(IpcSenderError);
  });
});

describe('parseDesktopArgs', () => {
  it('returns valid arguments', () => {
    expect(parseDesktopArgs('session:setToken', [SERVER, 'tok'])).toEqual([SERVER, 'tok']);
    expect(parseDesktopArgs('app:getInfo', [])).toEqual([]);
  });

  it('names the bad argument', () => {
    expect(() => parseDesktopArgs('session:setToken', [SERVER, ''])).toThrow(IpcArgumentError);
    expect(() => parseDesktopArgs('session:setToken', [SERVER, ''])).toThrow(
      /^Invalid arguments for session:setToken: argument 1: /,
    );
    expect(() => parseDesktopArgs('session:getToken', ['not a url'])).toThrow(/argument 0/);
    expect(() => parseDesktopArgs('session:getToken', [42])).toThrow(/argument 0/);
  });

  it('refuses missing and extra arguments', () => {
    expect(() => parseDesktopArgs('session:getToken', [])).toThrow(IpcArgumentError);
    expect(() => parseDesktopArgs('app:getInfo', ['surprise'])).toThrow(IpcArgumentError);
    expect(() => parseDesktopArgs('session:setToken', [SERVER, 'x'.repeat(4097)])).toThrow(IpcArgumentError);
  });
});

describe('handle', () => {
  it('calls the handler with validated arguments from our page', async () => {
    const ipc = new FakeIpcMain();
    const handler = vi.fn((serverUrl: string) => `token for ${serverUrl}`);
    handle(ipc, 'session:getToken', APP_ORIGIN, handler);
    await expect(ipc.invoke('app://parley/index.html', 'session:getToken', SERVER)).resolves.toBe(
      `token for ${SERVER}`,
    );
    expect(handler).toHaveBeenCalledWith(SERVER);
  });

  it('does not call the handler for a foreign sender', async () => {
    const ipc = new FakeIpcMain();
    const handler = vi.fn(() => 'token');
    handle(ipc, 'session:getToken', APP_ORIGIN, handler);
    await expect(ipc.invoke('https://evil.example/', 'session:getToken', SERVER)).rejects.toThrow(IpcSenderError);
    await expect(ipc.invoke('file:///tmp/x.html', 'session:getToken', SERVER)).rejects.toThrow(IpcSenderError);
    await expect(ipc.invoke(null, 'session:getToken', SERVER)).rejects.toThrow(IpcSenderError);
    expect(handler).not.toHaveBeenCalled();
  });

  it('does not call the handler with bad arguments', async () => {
    const ipc = new FakeIpcMain();
    const handler = vi.fn(() => true);
    handle(ipc, 'session:setToken', APP_ORIGIN, handler);
    await expect(ipc.invoke('app://parley/index.html', 'session:setToken', 'javascript:alert(1)', '')).rejects.toThrow(
      /Invalid arguments for session:setToken/,
    );
    expect(handler).not.toHaveBeenCalled();
  });

  it('returns an unregister function', async () => {
    const ipc = new FakeIpcMain();
    const unregister = handle(ipc, 'app:getInfo', APP_ORIGIN, () => ({
      platform: 'linux',
      appVersion: '1',
      serverUrl: SERVER,
      secureStorage: true,
    }));
    unregister();
    await expect(ipc.invoke('app://parley/', 'app:getInfo')).rejects.toThrow(/No handler/);
  });
});

describe('DesktopIpc', () => {
  function handlers(languages: string[] = []): DesktopHandlers {
    const tokens = new Map<string, string>();
    return createDesktopHandlers({
      setLanguage: (language) => languages.push(language),
      platform: 'linux',
      appVersion: '0.1.0',
      serverUrl: SERVER,
      tokens: {
        isSecure: () => false,
        get: (serverUrl) => tokens.get(serverUrl) ?? null,
        set: (serverUrl, token) => {
          tokens.set(serverUrl, token);
          return Promise.resolve(false);
        },
        clear: (serverUrl) => {
          tokens.delete(serverUrl);
          return Promise.resolve();
        },
      },
      windows: {
        takeDeepLink: () => null,
        popOut: () => undefined,
        spellcheck: { info: () => ({ systemManaged: true, available: [], selected: [] }), set: () => [] },
        updates: {
          status: () => ({ version: '0.1.0', channel: 'stable', phase: { kind: 'disabled' } }),
          check: () => undefined,
          install: () => false,
          setChannel: () => Promise.resolve(),
        },
      },
      shell: {
        showNotification: () => true,
        testNotification: () => Promise.resolve('shown'),
        setBadge: () => undefined,
        setPreferences: () => undefined,
        presenceChanged: () => undefined,
      },
    });
  }

  it('registers exactly the channels of the protocol map, and removes them on dispose', () => {
    const ipc = new FakeIpcMain();
    const desktopIpc = new DesktopIpc(ipc, APP_ORIGIN, handlers());
    desktopIpc.start();
    expect([...ipc.listeners.keys()].sort()).toEqual(Object.keys(desktopChannels).sort());
    desktopIpc.dispose();
    expect(ipc.listeners.size).toBe(0);
  });

  it('answers every channel end to end', async () => {
    const ipc = new FakeIpcMain();
    new DesktopIpc(ipc, APP_ORIGIN, handlers()).start();
    const page = 'app://parley/index.html';
    const call = (channel: DesktopChannel, ...args: unknown[]): Promise<unknown> => ipc.invoke(page, channel, ...args);

    await expect(call('app:getInfo')).resolves.toEqual({
      platform: 'linux',
      appVersion: '0.1.0',
      serverUrl: SERVER,
      secureStorage: false,
    });
    await expect(call('session:getToken', SERVER)).resolves.toBeNull();
    await expect(call('session:setToken', SERVER, 'tok')).resolves.toBe(false);
    await expect(call('session:getToken', SERVER)).resolves.toBe('tok');
    await expect(call('session:clearToken', SERVER)).resolves.toBeUndefined();
    await expect(call('session:getToken', SERVER)).resolves.toBeNull();
  });

  it("passes the app's language on to the shell, and refuses one it has no words for", async () => {
    const ipc = new FakeIpcMain();
    const languages: string[] = [];
    new DesktopIpc(ipc, APP_ORIGIN, handlers(languages)).start();
    const page = 'app://parley/index.html';
    await expect(ipc.invoke(page, 'app:setLanguage', 'fr')).resolves.toBeUndefined();
    await expect(ipc.invoke(page, 'app:setLanguage', 'de')).rejects.toThrow(IpcArgumentError);
    expect(languages).toEqual(['fr']);
  });
});

describe('sendDesktopEvent', () => {
  function target(url: string, destroyed = false) {
    const sent: Array<[string, unknown]> = [];
    return {
      sent,
      isDestroyed: () => destroyed,
      getURL: () => url,
      send: (channel: string, payload: unknown) => sent.push([channel, payload]),
    };
  }

  it('sends a valid payload to our page', () => {
    const page = target(`${APP_ORIGIN}/index.html`);
    expect(sendDesktopEvent(page, APP_ORIGIN, 'conversation:open', { conversationId: 'c-1' })).toBe(true);
    expect(page.sent).toEqual([['conversation:open', { conversationId: 'c-1' }]]);
  });

  it('tells nothing to a foreign page or a destroyed window', () => {
    const foreign = target('https://evil.example/');
    const gone = target(`${APP_ORIGIN}/index.html`, true);
    expect(sendDesktopEvent(foreign, APP_ORIGIN, 'conversation:open', { conversationId: 'c-1' })).toBe(false);
    expect(sendDesktopEvent(gone, APP_ORIGIN, 'conversation:open', { conversationId: 'c-1' })).toBe(false);
    expect([...foreign.sent, ...gone.sent]).toEqual([]);
  });

  it("refuses a payload outside the event's schema", () => {
    const page = target(`${APP_ORIGIN}/index.html`);
    expect(() => sendDesktopEvent(page, APP_ORIGIN, 'conversation:open', { conversationId: '' })).toThrow();
    expect(page.sent).toEqual([]);
  });
});
