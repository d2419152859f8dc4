import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeHttpExecutor } from 'builder-util/out/nodeHttpExecutor.js';
import { configureRequestOptions, configureRequestUrl, newError, type DownloadOptions } from 'builder-util-runtime';
import { AppUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import type { DownloadExecutorResult, DownloadUpdateOptions } from 'electron-updater/out/AppUpdater.js';
import { EventEmitter } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  UpdateService,
  builtInFeedUrl,
  readUpdateChannel,
  resolveUpdateFeed,
  updateErrorCode,
  type UpdateState,
} from '../src/updates.js';

/** Node's executor with the file download electron-updater's Electron executor adds (same steps). */
class NodeDownloadExecutor extends NodeHttpExecutor {
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions = { headers: options.headers ?? undefined, redirect: 'manual' };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options,
          onCancel,
          callback: (error) => (error instanceof Error ? reject(error) : resolve(destination)),
          responseHandler: null,
        },
        0,
      );
    });
  }
}

/** electron-updater's own AppUpdater, with Electron's app and network replaced by Node's. */
class NodeUpdater extends AppUpdater {
  /** Stands in for the Windows installer's Authenticode check, which fails the same way. */
  signatureValid = true;

  constructor(app: AppAdapter) {
    super(null, app);
    Object.assign(this, {
      httpExecutor: new NodeDownloadExecutor(),
      _testOnlyOptions: { platform: 'linux', isUseDifferentialDownload: false },
    });
    this.logger = null;
  }

  protected doDownloadUpdate(options: DownloadUpdateOptions): Promise<DownloadExecutorResult> {
    const provider = options.updateInfoAndProvider.provider;
    const fileInfo = provider
      .resolveFiles(options.updateInfoAndProvider.info)
      .find((file) => file.url.pathname.endsWith('.AppImage'));
    if (fileInfo === undefined) throw new Error('no AppImage in the feed');
    const executor = (this as unknown as { httpExecutor: NodeDownloadExecutor }).httpExecutor;
    return this.executeDownload({
      fileExtension: 'AppImage',
      fileInfo,
      downloadUpdateOptions: options,
      task: async (updateFile, downloadOptions) => {
        await executor.download(fileInfo.url, updateFile, downloadOptions);
        if (!this.signatureValid) {
          throw newError('New version 1.1.0 is not signed by the application owner', 'ERR_UPDATER_INVALID_SIGNATURE');
        }
      },
      done: (event) => {
        this.dispatchUpdateDownloaded(event);
        return Promise.resolve();
      },
    });
  }

  quitAndInstall(): void {
    installs += 1;
  }
}

let installs = 0;
const INSTALLER = Buffer.from('the 1.1.0 installer bytes');
const SHA512 = createHash('sha512').update(INSTALLER).digest('base64');

function feed(stagingPercentage: number | null, sha512 = SHA512): string {
  return [
    'version: 1.1.0',
    'files:',
    '  - url: Parley-1.1.0.AppImage',
    `    sha512: ${sha512}`,
    `    size: ${INSTALLER.length}`,
    'path: Parley-1.1.0.AppImage',
    `sha512: ${sha512}`,
    "releaseDate: '2026-12-01T00:00:00.000Z'",
    ...(stagingPercentage === null ? [] : [`stagingPercentage: ${stagingPercentage}`]),
    '',
  ].join('\n');
}

/** Path → body of the feed server; a missing path is a 404. */
let routes = new Map<string, string | Buffer>();
let server: http.Server;
let baseUrl = '';
let closedUrl = '';
let dir = '';

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const body = routes.get((request.url ?? '').split('?')[0] ?? '');
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/updates`;
  // A port that was open a moment ago and is closed now: nothing answers there.
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/updates`;
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

afterEach(async () => {
  routes = new Map();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
  dir = '';
});

/** A user in the middle of the rollout: electron-updater reads bytes 12-15 of this id (0x80000000 ≈ 50%). */
const HALFWAY_USER = 'a3bb189e-8bf9-5888-9912-ace480000000';

async function harness(url: string) {
  dir = await mkdtemp(path.join(tmpdir(), 'parley-updates-'));
  await writeFile(path.join(dir, '.updaterId'), HALFWAY_USER);
  await writeFile(path.join(dir, 'app-update.yml'), 'updaterCacheDirName: parley-updater\n');
  const app: AppAdapter = {
    version: '1.0.0',
    name: 'Parley',
    isPackaged: true,
    appUpdateConfigPath: path.join(dir, 'app-update.yml'),
    userDataPath: dir,
    baseCachePath: path.join(dir, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: () => undefined,
    quit: () => undefined,
    onQuit: () => undefined,
  };
  const updater = new NodeUpdater(app);
  const states: UpdateState[] = [];
  const logged: string[] = [];
  const scheduled: Array<{ task: () => void; delayMs: number }> = [];
  let settle: () => void = () => undefined;
  const service = new UpdateService(updater, {
    feed: { url, channel: 'stable' },
    onState: (state) => {
      states.push(state);
      if (state.kind !== 'checking' && state.kind !== 'downloading') settle();
    },
    log: (message, error) => logged.push(`${message} ${String(error)}`),
    schedule: (task, delayMs) => {
      scheduled.push({ task, delayMs });
      return () => undefined;
    },
    checkIntervalMs: 1000,
    retryBaseMs: 10,
    maxRetryMs: 35,
  });
  /** Runs `action` and resolves once the service reaches a resting state. */
  const settled = (action: () => void) =>
    new Promise<UpdateState>((resolve) => {
      settle = () => resolve(service.current);
      action();
    });
  return { service, states, logged, scheduled, settled, updater };
}

describe('the update feed configuration', () => {
  it('is off without a URL, and PARLEY_UPDATE_URL wins over the install-time one', () => {
    expect(resolveUpdateFeed({}, undefined, 'stable')).toBeNull();
    expect(resolveUpdateFeed({ PARLEY_UPDATE_URL: ' ' }, '', 'stable')).toBeNull();
    expect(resolveUpdateFeed({}, 'https://install.example/u', 'beta')).toEqual({
      url: 'https://install.example/u',
      channel: 'beta',
    });
    expect(
      resolveUpdateFeed({ PARLEY_UPDATE_URL: 'https://env.example/u' }, 'https://install.example/u', 'stable'),
    ).toEqual({ url: 'https://env.example/u', channel: 'stable' });
    expect(() => resolveUpdateFeed({ PARLEY_UPDATE_URL: 'file:///tmp/feed' }, undefined, 'stable')).toThrow(/http/);
  });

  it('reads the channel setting, stable when missing or malformed', async () => {
    const settingsDir = await mkdtemp(path.join(tmpdir(), 'parley-update-settings-'));
    const file = path.join(settingsDir, 'update-settings.json');
    expect(await readUpdateChannel(file)).toBe('stable');
    await writeFile(file, '{"channel":"beta"}');
    expect(await readUpdateChannel(file)).toBe('beta');
    await writeFile(file, '{"channel":"nightly"}');
    expect(await readUpdateChannel(file)).toBe('stable');
    await rm(settingsDir, { recursive: true });
  });

  it('says so when updates are off', () => {
    const states: UpdateState[] = [];
    const logged: string[] = [];
    const service = new UpdateService({} as never, {
      feed: null,
      onState: (state) => states.push(state),
      log: (message) => logged.push(message),
    });
    service.start();
    expect(states).toEqual([{ kind: 'disabled', reason: 'no-feed-url' }]);
    expect(logged.join()).toMatch(/Updates are off/);
    expect(service.installNow()).toBe(false);
  });
});

describe('updates against a local feed server', () => {
  it('downloads an update in the background, reports progress, and installs when asked', async () => {
    routes.set('/updates/latest-linux.yml', feed(null));
    routes.set('/updates/Parley-1.1.0.AppImage', INSTALLER);
    const { service, states, settled } = await harness(baseUrl);
    const final = await settled(() => service.start());
    expect(final).toEqual({ kind: 'ready', version: '1.1.0' });
    expect(states[0]).toEqual({ kind: 'checking' });
    expect(states).toContainEqual({ kind: 'downloading', version: '1.1.0', percent: 0 });
    const before = installs;
    expect(service.installNow()).toBe(true);
    expect(installs).toBe(before + 1);
  });

  it('honours the staged rollout percentage of latest.yml', async () => {
    routes.set('/updates/latest-linux.yml', feed(40));
    routes.set('/updates/Parley-1.1.0.AppImage', INSTALLER);
    const outside = await harness(baseUrl);
    expect(await outside.settled(() => outside.service.start())).toEqual({ kind: 'idle' });
    expect(outside.states.some((state) => state.kind === 'downloading')).toBe(false);
    await rm(dir, { recursive: true, force: true });

    routes.set('/updates/latest-linux.yml', feed(60));
    const inside = await harness(baseUrl);
    expect(await inside.settled(() => inside.service.start())).toEqual({ kind: 'ready', version: '1.1.0' });
  });

  it('records a checksum mismatch as an error and tries again later', async () => {
    const wrong = createHash('sha512').update('other bytes').digest('base64');
    routes.set('/updates/latest-linux.yml', feed(null, wrong));
    routes.set('/updates/Parley-1.1.0.AppImage', INSTALLER);
    const { service, scheduled, logged, settled } = await harness(baseUrl);
    expect(await settled(() => service.start())).toEqual({ kind: 'error', code: 'checksum-mismatch' });
    expect(logged.join()).toMatch(/checksum-mismatch/);
    expect(scheduled.at(-1)?.delayMs).toBe(10);
  });

  it('records an update that is not signed by the owner as an error, without throwing', async () => {
    routes.set('/updates/latest-linux.yml', feed(null));
    routes.set('/updates/Parley-1.1.0.AppImage', INSTALLER);
    const { service, updater, settled } = await harness(baseUrl);
    updater.signatureValid = false;
    expect(await settled(() => service.start())).toEqual({ kind: 'error', code: 'signature-invalid' });
    expect(service.installNow()).toBe(false);
  });

  it('records a broken feed file and a missing one without throwing', async () => {
    routes.set('/updates/latest-linux.yml', 'version: [this is: not\n  a feed');
    const broken = await harness(baseUrl);
    expect(await broken.settled(() => broken.service.start())).toEqual({ kind: 'error', code: 'feed-invalid' });
    await rm(dir, { recursive: true, force: true });

    routes = new Map();
    const missing = await harness(baseUrl);
    expect(await missing.settled(() => missing.service.start())).toEqual({ kind: 'error', code: 'feed-missing' });
  });

  it('backs off while the host is unreachable, up to a cap', async () => {
    const { service, scheduled, settled, states } = await harness(closedUrl);
    expect(await settled(() => service.start())).toEqual({ kind: 'error', code: 'unreachable' });
    expect(await settled(() => scheduled.at(-1)?.task())).toEqual({ kind: 'error', code: 'unreachable' });
    expect(await settled(() => scheduled.at(-1)?.task())).toEqual({ kind: 'error', code: 'unreachable' });
    // 10, 20, then capped at 35.
    expect(scheduled.map((entry) => entry.delayMs)).toEqual([10, 20, 35]);
    expect(states.filter((state) => state.kind === 'checking')).toHaveLength(3);
  }, 30_000);
});

describe('the update state machine', () => {
  /** An updater that emits what the test tells it to; checkForUpdates resolves at once. */
  class ScriptedUpdater extends EventEmitter {
    autoDownload = false;
    autoInstallOnAppQuit = false;
    allowPrerelease = false;
    allowDowngrade = true;
    channel: string | null = null;
    feedUrl: unknown = null;
    checks = 0;
    setFeedURL(options: unknown): void {
      this.feedUrl = options;
    }
    checkForUpdates(): Promise<null | { downloadPromise: null }> {
      this.checks += 1;
      return Promise.resolve({ downloadPromise: null });
    }
    quitAndInstall(): void {}
  }

  it('configures the beta channel and reports download progress as a percentage', () => {
    const updater = new ScriptedUpdater();
    const states: UpdateState[] = [];
    const service = new UpdateService(updater, {
      feed: { url: 'https://updates.example/parley', channel: 'beta' },
      onState: (state) => states.push(state),
      log: () => undefined,
      schedule: () => () => undefined,
    });
    service.start();
    expect(updater.feedUrl).toEqual({ provider: 'generic', url: 'https://updates.example/parley' });
    expect(updater).toMatchObject({
      channel: 'beta',
      allowPrerelease: true,
      allowDowngrade: false,
      autoDownload: true,
      autoInstallOnAppQuit: true,
    });
    updater.emit('update-available', { version: '1.2.0-beta.1' });
    updater.emit('download-progress', { percent: 42.5 });
    updater.emit('download-progress', { percent: 120 });
    updater.emit('update-downloaded', { version: '1.2.0-beta.1' });
    expect(states).toEqual([
      { kind: 'checking' },
      { kind: 'downloading', version: '1.2.0-beta.1', percent: 0 },
      { kind: 'downloading', version: '1.2.0-beta.1', percent: 42.5 },
      { kind: 'downloading', version: '1.2.0-beta.1', percent: 100 },
      { kind: 'ready', version: '1.2.0-beta.1' },
    ]);
    // A downloaded update waits for the install; no further check starts meanwhile.
    service.check();
    expect(updater.checks).toBe(1);
  });

  it('survives a listener that throws and a check that throws synchronously', () => {
    const updater = new ScriptedUpdater();
    updater.checkForUpdates = () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const logged: string[] = [];
    const service = new UpdateService(updater, {
      feed: { url: 'https://updates.example/parley', channel: 'stable' },
      onState: () => {
        throw new Error('renderer gone');
      },
      log: (message) => logged.push(message),
      schedule: () => () => undefined,
    });
    expect(() => service.start()).not.toThrow();
    expect(service.current).toEqual({ kind: 'error', code: 'unreachable' });
    expect(updater.channel).toBeNull();
    expect(logged).toContain('The update state listener threw');
  });
});

describe('updateErrorCode', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, 'unreachable'],
    [{ code: 'HTTP_ERROR_503' }, 'unreachable'],
    [{ code: 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND' }, 'feed-missing'],
    [{ code: 'ERR_UPDATER_INVALID_UPDATE_INFO' }, 'feed-invalid'],
    [{ code: 'ERR_CHECKSUM_MISMATCH' }, 'checksum-mismatch'],
    [{ code: 'ERR_UPDATER_INVALID_SIGNATURE' }, 'signature-invalid'],
    [new Error('something else'), 'unknown'],
    [null, 'unknown'],
  ])('%o → %s', (error, code) => {
    expect(updateErrorCode(error)).toBe(code);
  });
});

describe('the feed built into a packaged app', () => {
  it('is read from the app-update.yml electron-builder writes, for a generic feed only', () => {
    expect(
      builtInFeedUrl(
        'provider: generic\nurl: https://updates.example.com/desktop\nupdaterCacheDirName: parley-updater\n',
      ),
    ).toBe('https://updates.example.com/desktop');
    expect(builtInFeedUrl("provider: generic\nurl: 'https://updates.example.com/q'\n")).toBe(
      'https://updates.example.com/q',
    );
    expect(builtInFeedUrl('provider: github\nowner: parley\nrepo: desktop\n')).toBeUndefined();
    expect(builtInFeedUrl(undefined)).toBeUndefined();
  });
});
