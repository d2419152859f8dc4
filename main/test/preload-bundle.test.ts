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

type ExposedApi = { invoke(channel: string, ...args: unknown[]): Promise<unknown> };

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
} {
  const exposed = new Map<string, unknown>();
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
  return { exposed, invocations, required };
}

describe('the preload bundle', () => {
  it('is one file that requires nothing but electron', () => {
    const { required } = loadPreload();
    expect(new Set(required)).toEqual(new Set(['electron']));
  });

  it('exposes one API with one method under the agreed key', () => {
    const { exposed } = loadPreload();
    expect([...exposed.keys()]).toEqual([DESKTOP_API_KEY]);
    const api = exposed.get(DESKTOP_API_KEY) as ExposedApi;
    expect(Object.keys(api)).toEqual(['invoke']);
  });

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
