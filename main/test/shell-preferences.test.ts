import { describe, expect, it } from 'vitest';
import { defaultShellPreferences, ShellPreferencesStore, type PreferencesFs } from '../src/shell-preferences.js';

function memoryFs(
  files: Record<string, string> = {},
): PreferencesFs & { files: Record<string, string>; writes: string[] } {
  const writes: string[] = [];
  return {
    files,
    writes,
    readFileSync: (file) => {
      const text = files[file];
      if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return text;
    },
    writeFileSync: (file, text) => {
      writes.push(file);
      files[file] = text;
    },
    renameSync: (from, to) => {
      const text = files[from];
      if (text === undefined) throw new Error(`no ${from}`);
      files[to] = text;
      delete files[from];
    },
  };
}

const FILE = '/userData/shell-settings.json';

describe('ShellPreferencesStore', () => {
  it('defaults to closing to the tray on Windows and Linux, not macOS, with 5 idle minutes', () => {
    expect(defaultShellPreferences('win32')).toEqual({ closeToTray: true, idleMinutes: 5 });
    expect(defaultShellPreferences('linux')).toEqual({ closeToTray: true, idleMinutes: 5 });
    expect(defaultShellPreferences('darwin')).toEqual({ closeToTray: false, idleMinutes: 5 });
  });

  it('reads what was saved', () => {
    const store = new ShellPreferencesStore(
      FILE,
      memoryFs({ [FILE]: '{"closeToTray":false,"idleMinutes":12}' }),
      'linux',
      () => undefined,
    );
    expect(store.load()).toEqual({ closeToTray: false, idleMinutes: 12 });
  });

  it('keeps the defaults for a missing or damaged file, and warns only for the damaged one', () => {
    const warnings: string[] = [];
    const warn = (message: string): void => void warnings.push(message);
    expect(new ShellPreferencesStore(FILE, memoryFs(), 'win32', warn).load()).toEqual(defaultShellPreferences('win32'));
    expect(warnings).toEqual([]);
    expect(new ShellPreferencesStore(FILE, memoryFs({ [FILE]: '{"idleMinutes":-3}' }), 'win32', warn).load()).toEqual(
      defaultShellPreferences('win32'),
    );
    expect(new ShellPreferencesStore(FILE, memoryFs({ [FILE]: 'not json' }), 'win32', warn).load()).toEqual(
      defaultShellPreferences('win32'),
    );
    expect(warnings).toHaveLength(2);
  });

  it('writes through a temporary file renamed over the old one, and tells listeners', () => {
    const fs = memoryFs();
    const store = new ShellPreferencesStore(FILE, fs, 'linux', () => undefined);
    const heard: unknown[] = [];
    store.onChange((preferences) => heard.push(preferences));
    store.set({ closeToTray: false, idleMinutes: 10 });
    expect(fs.writes).toEqual([`${FILE}.tmp`]);
    expect(JSON.parse(fs.files[FILE] ?? '')).toEqual({ closeToTray: false, idleMinutes: 10 });
    expect(fs.files[`${FILE}.tmp`]).toBeUndefined();
    expect(heard).toEqual([{ closeToTray: false, idleMinutes: 10 }]);
    expect(store.get()).toEqual({ closeToTray: false, idleMinutes: 10 });
  });

  it('writes nothing when nothing changed', () => {
    const fs = memoryFs();
    const store = new ShellPreferencesStore(FILE, fs, 'linux', () => undefined);
    store.set(defaultShellPreferences('linux'));
    expect(fs.writes).toEqual([]);
  });
});
