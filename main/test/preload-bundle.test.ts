/**
 * Builds the real preload bundle and runs it the way a sandboxed renderer does: one
 * CommonJS file whose `require` knows only `electron`. Catches both a bundle that needs
 * another module at run time and a bridge that forwards channels outside the protocol map.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { DESKTOP_API_KEY } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

type ExposedApi = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
};

type IpcListener = (event: unknown, payload: unknown) => void;

let folder: string;
let bundle: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'parley-preload-'));
  const outfile = path.join(folder, 'preload.cjs');
  await promisify(execFile)(process.execPath, [path.join(repoRoot, 'preload', 'build.mjs'), '--outfile', outfile]);
  bundle = await readFile(outfile, 'utf8');
}, 60_000);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function loadPreload(): {
  exposed: Map<string, unknown>;
  invocations: Array<{ channel: string; args: unknown[] }>;
  required: string[];
  listeners: Map<string, Set<IpcListener>>;
} {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<IpcListener>>();
  const invocations: Array<{ channel: string; args: unknown[] }> = [];
  const required: string[] = [];
  const electron = {
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown): void {
        exposed.set(key, api);
      },
    },
    ipcRenderer: {
      invoke(channel: string, ...args: unknown[]): Promise<unknown> {
        invocations.push({ channel, args });
        return Promise.resolve(`answer to ${channel}`);
      },
      on(channel: string, listener: IpcListener): void {
        const set = listeners.get(channel) ?? new Set<IpcListener>();
        set.add(listener);
        listeners.set(channel, set);
      },
      removeListener(channel: string, listener: IpcListener): void {
        listeners.get(channel)?.delete(listener);
      },
    },
  };
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found: ${name}`);
  };
  const module = { exports: {} };
  const run = vm.runInNewContext(`(function (require, module, exports) {\n${bundle}\n})`, {
    console,
  }) as (require: (name: string) => unknown, module: unknown, exports: unknown) => void;
  run(sandboxRequire, module, module.exports);
  return { exposed, invocations, required, listeners };
}

describe('the preload bundle', () => {
  it('is one file that requires nothing but electron', () => {
    const { required } = loadPreload();
    expect(new Set(required)).toEqual(new Set(['electron']));
  });

  it('exposes one API with its two methods under the agreed key', () => {
    const { exposed } = loadPreload();
    expect([...exposed.keys()]).toEqual([DESKTOP_API_KEY]);
    const api = exposed.get(DESKTOP_API_KEY) as ExposedApi;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
  });

  it("hands a desktop event's payload to the page, never the IPC event, until told to stop", () => {
    const { exposed, listeners } = loadPreload();
    const api = exposed.get(DESKTOP_API_KEY) as ExposedApi;
    const received: unknown[][] = [];
    const stop = api.on('conversation:open', (...args: unknown[]) => received.push(args));
    const registered = [...(listeners.get('conversation:open') ?? [])];
    expect(registered).toHaveLength(1);
    registered[0]?.({ sender: 'the IPC event' }, { conversationId: 'c1' });
    expect(received).toEqual([[{ conversationId: 'c1' }]]);
    stop();
    expect(listeners.get('conversation:open')?.size).toBe(0);
  });

  it.each(['fs:readFile', 'ELECTRON_BROWSER_REQUIRE', '__proto__', 'session:getToken', ''])(
    'refuses to listen to the event %j',
    (event) => {
      const { exposed, listeners } = loadPreload();
      const api = exposed.get(DESKTOP_API_KEY) as ExposedApi;
      expect(() => api.on(event, () => undefined)).toThrow(/Unknown desktop event/);
      expect(listeners.size).toBe(0);
    },
  );

  it('forwards a desktop channel with its arguments', async () => {
    const { exposed, invocations } = loadPreload();
    const api = exposed.get(DESKTOP_API_KEY) as ExposedApi;
    await expect(api.invoke('session:getToken', 'https://a.example')).resolves.toBe('answer to session:getToken');
    expect(invocations).toEqual([{ channel: 'session:getToken', args: ['https://a.example'] }]);
  });

  it.each(['fs:readFile', 'ELECTRON_BROWSER_REQUIRE', '__proto__', 'toString', 'constructor', ''])(
    'refuses the channel %j without calling the main process',
    async (channel) => {
      const { exposed, invocations } = loadPreload();
      const api = exposed.get(DESKTOP_API_KEY) as ExposedApi;
      await expect(api.invoke(channel)).rejects.toThrow(/Unknown desktop channel/);
      expect(invocations).toEqual([]);
    },
  );
});
