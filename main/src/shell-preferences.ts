/**
 * The shell's own settings (close to the tray, minutes before idle), chosen in the app's
 * settings and sent by the page; kept in a JSON file in userData so the next start has
 * them before the page loads. Written atomically (a temporary file renamed over the old).
 */
import { ShellPreferencesSchema, type ShellPreferences } from '@parley/protocol';

export type PreferencesFs = {
  readFileSync(file: string, encoding: 'utf8'): string;
  writeFileSync(file: string, text: string): void;
  renameSync(from: string, to: string): void;
};

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
    let text: string;
    try {
      text = this.fs.readFileSync(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.warn('Cannot read the shell settings', error);
      return this.current;
    }
    try {
      const parsed = ShellPreferencesSchema.safeParse(JSON.parse(text));
      if (parsed.success) this.current = parsed.data;
      else this.warn('Ignored damaged shell settings', parsed.error.message);
    } catch (error) {
      this.warn('Ignored damaged shell settings', error);
    }
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
    const temporary = `${this.filePath}.tmp`;
    try {
      this.fs.writeFileSync(temporary, JSON.stringify(this.current));
      this.fs.renameSync(temporary, this.filePath);
    } catch (error) {
      this.warn('Cannot save the shell settings', error);
    }
  }

  onChange(listener: (preferences: ShellPreferences) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
