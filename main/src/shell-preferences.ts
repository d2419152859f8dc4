/**
 * The shell's own settings (close to the tray, minutes before idle), chosen in the app's
 * settings and sent by the page; kept in a JSON file in userData so the next start has
 * them before the page loads. Written atomically (a temporary file renamed over the old).
 */
import { ShellPreferencesSchema, type ShellPreferences } from '@parley/protocol';
import { readJsonFile, writeJsonFile, type JsonFiles } from './json-file.js';

export type PreferencesFs = JsonFiles;

/** Closing keeps the app in the tray on Windows and Linux; macOS has its dock. */
export function defaultShellPreferences(platform: string): ShellPreferences {
  return { closeToTray: platform !== 'darwin', idleMinutes: 5 };
}

export class ShellPreferencesStore {
  private current: ShellPreferences;
  private readonly listeners = new Set<(preferences: ShellPreferences) => void>();

  constructor(
    private readonly filePath: string,
    private readonly fs: PreferencesFs,
    platform: string,
    private readonly warn: (message: string, error?: unknown) => void,
  ) {
    this.current = defaultShellPreferences(platform);
  }

  /** Reads the file; a missing or damaged one leaves the defaults. */
  load(): ShellPreferences {
    this.current = readJsonFile(this.filePath, this.fs, ShellPreferencesSchema, this.warn) ?? this.current;
    return this.current;
  }

  get(): ShellPreferences {
    return this.current;
  }

  /** Takes the page's settings (already validated), tells the listeners and writes them. */
  set(next: ShellPreferences): void {
    if (next.closeToTray === this.current.closeToTray && next.idleMinutes === this.current.idleMinutes) return;
    this.current = { ...next };
    for (const listener of this.listeners) listener(this.current);
    writeJsonFile(this.filePath, this.fs, this.current, this.warn);
  }

  onChange(listener: (preferences: ShellPreferences) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
