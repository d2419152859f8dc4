/**
 * Updates of the desktop app through electron-updater and a generic feed (latest.yml and
 * the installers on any static server). The updater is injected, so the state machine runs
 * in Node; a failed check or download never throws out of here: it is logged, shown as an
 * error state with a code (the renderer words it), and tried again later with backoff.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { UpdateChannelSchema, type UpdateChannel, type UpdateErrorCode } from '@parley/protocol';
import type { AppUpdater, ProgressInfo, UpdateDownloadedEvent, UpdateInfo } from 'electron-updater';
import { z } from 'zod';

export { UpdateChannelSchema, type UpdateChannel, type UpdateErrorCode };

export type UpdateFeed = { url: string; channel: UpdateChannel };

export type UpdateState =
  | { kind: 'disabled'; reason: 'no-feed-url' }
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'downloading'; version: string; percent: number }
  | { kind: 'ready'; version: string }
  | { kind: 'error'; code: UpdateErrorCode };

const FeedUrlSchema = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/ }));

const UpdateSettingsSchema = z.object({ channel: UpdateChannelSchema.default('stable') });

/**
 * Where updates come from: PARLEY_UPDATE_URL, else the URL written at install time; none
 * means updates are off. Throws on a URL that is set but not http(s).
 */
export function resolveUpdateFeed(
  env: Readonly<Record<string, string | undefined>>,
  installUrl: string | undefined,
  channel: UpdateChannel,
): UpdateFeed | null {
  const raw = env['PARLEY_UPDATE_URL']?.trim() || installUrl?.trim() || '';
  if (raw === '') return null;
  const parsed = FeedUrlSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`The update URL must be http or https: ${JSON.stringify(raw)}`);
  return { url: parsed.data, channel };
}

/**
 * The generic feed's URL from the `app-update.yml` electron-builder writes into a packaged
 * app's resources (`provider: generic` and `url: …`); undefined when there is none.
 */
export function builtInFeedUrl(text: string | undefined): string | undefined {
  if (text === undefined || !/^provider:\s*generic\s*$/m.test(text)) return undefined;
  const url = /^url:\s*['"]?([^'"\s]+)['"]?\s*$/m.exec(text)?.[1];
  return url === undefined || url === '' ? undefined : url;
}

/** The channel setting from `<userData>/update-settings.json`; stable when absent or unreadable. */
export async function readUpdateChannel(filePath: string): Promise<UpdateChannel> {
  try {
    const parsed = UpdateSettingsSchema.safeParse(JSON.parse(await readFile(filePath, 'utf8')));
    return parsed.success ? parsed.data.channel : 'stable';
  } catch {
    return 'stable';
  }
}

/**
 * Keeps the channel the agent chose in `<userData>/update-settings.json`, where
 * `readUpdateChannel` finds it at the next start; written through a temporary file so a
 * crash never leaves half of one.
 */
export async function writeUpdateChannel(filePath: string, channel: UpdateChannel): Promise<void> {
  const temporary = `${filePath}.tmp`;
  await writeFile(temporary, JSON.stringify({ channel }));
  await rename(temporary, filePath);
}

/** What the service needs of electron-updater's `AppUpdater`. */
export type UpdaterLike = Pick<
  AppUpdater,
  'autoDownload' | 'autoInstallOnAppQuit' | 'allowPrerelease' | 'allowDowngrade' | 'setFeedURL' | 'quitAndInstall'
> & {
  channel: string | null;
  checkForUpdates(): Promise<{ downloadPromise?: Promise<unknown> | null } | null>;
  on(event: 'update-available', listener: (info: UpdateInfo) => void): unknown;
  on(event: 'update-not-available', listener: (info: UpdateInfo) => void): unknown;
  on(event: 'download-progress', listener: (progress: ProgressInfo) => void): unknown;
  on(event: 'update-downloaded', listener: (event: UpdateDownloadedEvent) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
};

/** Runs `task` after `delayMs`; returns a cancel function. Injected so tests drive time. */
export type Schedule = (task: () => void, delayMs: number) => () => void;

export type UpdateServiceOptions = {
  feed: UpdateFeed | null;
  onState: (state: UpdateState) => void;
  log: (message: string, error?: unknown) => void;
  schedule?: Schedule;
  /** The clock, for `nextCheckAt`. */
  now?: () => number;
  /** Between successful checks. */
  checkIntervalMs?: number;
  /** First retry after a failure; doubles each time up to `maxRetryMs`. */
  retryBaseMs?: number;
  maxRetryMs?: number;
};

const HOUR = 60 * 60 * 1000;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** Maps electron-updater's and Node's error codes to the few the renderer words. */
export function updateErrorCode(error: unknown): UpdateErrorCode {
  const raw = (error as { code?: unknown } | null)?.code;
  const code = typeof raw === 'string' ? raw : '';
  const message = error instanceof Error ? error.message : String(error);
  if (NETWORK_CODES.has(code) || code.startsWith('HTTP_ERROR_5') || /net::ERR_/.test(message)) return 'unreachable';
  if (code === 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND' || code.startsWith('HTTP_ERROR_4')) return 'feed-missing';
  if (
    code === 'ERR_UPDATER_INVALID_UPDATE_INFO' ||
    code === 'ERR_UPDATER_INVALID_VERSION' ||
    code === 'ERR_UPDATER_NO_FILES_PROVIDED' ||
    code === 'ERR_UPDATER_NO_CHECKSUM'
  ) {
    return 'feed-invalid';
  }
  if (code === 'ERR_CHECKSUM_MISMATCH' || /checksum mismatch/i.test(message)) return 'checksum-mismatch';
  if (code === 'ERR_UPDATER_INVALID_SIGNATURE' || /not signed|signature/i.test(message)) return 'signature-invalid';
  return 'unknown';
}

const defaultSchedule: Schedule = (task, delayMs) => {
  const timer = setTimeout(task, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

export class UpdateService {
  private state: UpdateState = { kind: 'idle' };
  private failures = 0;
  private cancelTimer: (() => void) | null = null;
  private started = false;
  private disposed = false;
  private nextAt: number | null = null;
  private chosen: UpdateChannel;
  private checkedAt: number | null = null;

  constructor(
    private readonly updater: UpdaterLike,
    private readonly options: UpdateServiceOptions,
  ) {
    this.chosen = options.feed?.channel ?? 'stable';
  }

  get current(): UpdateState {
    return this.state;
  }

  /** When the next check runs by itself (epoch ms), or null when none is planned. */
  get nextCheckAt(): number | null {
    return this.nextAt;
  }

  /** When a check last finished without finding a problem (epoch ms), or null. */
  get lastCheckedAt(): number | null {
    return this.checkedAt;
  }

  get channel(): UpdateChannel {
    return this.chosen;
  }

  /**
   * Switches between stable and beta and checks again. Going back to stable never
   * downgrades: a beta install waits for a stable release newer than itself.
   */
  setChannel(channel: UpdateChannel): void {
    if (this.chosen === channel) return;
    this.chosen = channel;
    if (!this.started || this.disposed || this.options.feed === null) return;
    this.applyChannel(channel);
    if (this.state.kind === 'error') this.failures = 0;
    this.check();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const feed = this.options.feed;
    if (feed === null) {
      this.options.log('Updates are off: no update URL is configured (PARLEY_UPDATE_URL).');
      this.setState({ kind: 'disabled', reason: 'no-feed-url' });
      return;
    }
    const updater = this.updater;
    updater.autoDownload = true;
    updater.autoInstallOnAppQuit = true;
    updater.setFeedURL({ provider: 'generic', url: feed.url });
    if (this.chosen === 'beta') this.applyChannel('beta');
    else updater.allowDowngrade = false;

    updater.on('update-available', (info) => this.setState({ kind: 'downloading', version: info.version, percent: 0 }));
    updater.on('download-progress', (progress) => {
      const version = this.state.kind === 'downloading' ? this.state.version : '';
      this.setState({ kind: 'downloading', version, percent: Math.max(0, Math.min(100, progress.percent)) });
    });
    updater.on('update-not-available', () => this.succeeded({ kind: 'idle' }));
    updater.on('update-downloaded', (event) => this.succeeded({ kind: 'ready', version: event.version }));
    updater.on('error', (error) => this.failed(error));
    this.check();
  }

  private applyChannel(channel: UpdateChannel): void {
    // "latest" is electron-updater's name for the default channel; beta reads beta.yml.
    this.updater.channel = channel === 'beta' ? 'beta' : 'latest';
    this.updater.allowPrerelease = channel === 'beta';
    // Setting a channel turns downgrades on; an install never goes backwards by itself.
    this.updater.allowDowngrade = false;
  }

  /** Checks now, unless a check or download is already running or an update is waiting. */
  check(): void {
    if (!this.started || this.disposed || this.options.feed === null) return;
    if (this.state.kind === 'checking' || this.state.kind === 'downloading' || this.state.kind === 'ready') return;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.nextAt = null;
    this.setState({ kind: 'checking' });
    let pending: Promise<{ downloadPromise?: Promise<unknown> | null } | null>;
    try {
      pending = this.updater.checkForUpdates();
    } catch (error) {
      this.failed(error);
      return;
    }
    pending.then(
      (result) => {
        if (result === null) {
          this.succeeded({ kind: 'idle' });
          return;
        }
        // The download's failure is also emitted as 'error'; this only keeps it from being unhandled.
        result.downloadPromise?.catch(() => undefined);
      },
      (error: unknown) => this.failed(error),
    );
  }

  /** Restarts into the downloaded update; does nothing until one is ready. */
  installNow(): boolean {
    if (this.state.kind !== 'ready') return false;
    this.updater.quitAndInstall(false, true);
    return true;
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.nextAt = null;
  }

  private succeeded(state: UpdateState): void {
    this.failures = 0;
    this.checkedAt = (this.options.now ?? Date.now)();
    this.setState(state);
    if (state.kind !== 'ready') this.later(this.options.checkIntervalMs ?? 4 * HOUR);
  }

  private failed(error: unknown): void {
    if (this.disposed) return;
    // electron-updater reports one failure both as an 'error' event and as a rejection.
    if (this.state.kind === 'error') return;
    const code = updateErrorCode(error);
    this.options.log(`Update check failed (${code})`, error);
    this.failures += 1;
    this.setState({ kind: 'error', code });
    const base = this.options.retryBaseMs ?? 5 * 60 * 1000;
    const max = this.options.maxRetryMs ?? 4 * HOUR;
    this.later(Math.min(max, base * 2 ** (this.failures - 1)));
  }

  private later(delayMs: number): void {
    if (this.disposed) return;
    this.cancelTimer?.();
    this.nextAt = (this.options.now ?? Date.now)() + delayMs;
    this.cancelTimer = (this.options.schedule ?? defaultSchedule)(() => {
      this.cancelTimer = null;
      this.nextAt = null;
      this.check();
    }, delayMs);
  }

  private setState(state: UpdateState): void {
    this.state = state;
    try {
      this.options.onState(state);
    } catch (error) {
      this.options.log('The update state listener threw', error);
    }
  }
}
