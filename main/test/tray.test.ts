import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { buildTrayMenuTemplate, hidesOnClose, trayTooltip } from '../src/tray.js';
import { askStatusNotifierWatcher, readNameHasOwner, trayShown } from '../src/tray-host.js';
import { shellWords } from '../src/words.js';

function menu(presence: 'online' | 'away' | 'offline' | null, language: 'en' | 'fr' = 'en') {
  const calls: string[] = [];
  const template = buildTrayMenuTemplate({
    words: shellWords(language),
    presence,
    onPresence: (value) => calls.push(`presence ${value}`),
    onOpen: () => calls.push('open'),
    onQuit: () => calls.push('quit'),
  });
  const item = (id: string): MenuItemConstructorOptions => {
    const found = template.find((entry) => entry.id === id);
    if (found === undefined) throw new Error(`no item ${id}`);
    return found;
  };
  const click = (id: string): void => {
    const handler = item(id).click as (() => void) | undefined;
    if (handler === undefined) throw new Error(`${id} cannot be clicked`);
    handler();
  };
  return { template, item, click, calls };
}

describe('buildTrayMenuTemplate', () => {
  it('lists Open, the presence switch and Quit, in that order', () => {
    const { template } = menu('online');
    expect(template.map((entry) => entry.label ?? entry.type)).toEqual([
      'Open Parley',
      'separator',
      'Presence',
      'Online',
      'Away',
      'Offline',
      'separator',
      'Quit Parley',
    ]);
  });

  it('checks the current presence among radio items', () => {
    const { item } = menu('away');
    expect(['online', 'away', 'offline'].map((value) => item(`presence-${value}`).type)).toEqual([
      'radio',
      'radio',
      'radio',
    ]);
    expect(item('presence-online').checked).toBe(false);
    expect(item('presence-away').checked).toBe(true);
    expect(item('presence-offline').checked).toBe(false);
  });

  it('asks for the chosen presence, opens and quits', () => {
    const { click, calls } = menu('online');
    click('presence-away');
    click('presence-online');
    click('open');
    click('quit');
    expect(calls).toEqual(['presence away', 'presence online', 'open', 'quit']);
  });

  it('shows Offline, checked while the connection is down, but never lets it be chosen', () => {
    const { item } = menu('offline');
    expect(item('presence-offline').checked).toBe(true);
    expect(item('presence-offline').enabled).toBe(false);
    expect(item('presence-offline').click).toBeUndefined();
    expect(item('presence-online').enabled).toBe(true);
  });

  it('lets nothing be chosen before the page has said the presence', () => {
    const { item } = menu(null);
    for (const value of ['online', 'away', 'offline']) {
      expect(item(`presence-${value}`).checked).toBe(false);
      expect(item(`presence-${value}`).enabled).toBe(false);
    }
  });

  it('speaks French', () => {
    const { template } = menu('online', 'fr');
    expect(template.map((entry) => entry.label).filter(Boolean)).toEqual([
      'Ouvrir Parley',
      'Présence',
      'En ligne',
      'Absent',
      'Hors ligne',
      'Quitter Parley',
    ]);
  });
});

describe('trayTooltip', () => {
  it('says the unread count', () => {
    const words = shellWords('en');
    expect(trayTooltip(words, 0)).toBe('Parley');
    expect(trayTooltip(words, 1)).toBe('Parley: 1 unread conversation');
    expect(trayTooltip(words, 12)).toBe('Parley: 12 unread conversations');
    expect(trayTooltip(shellWords('fr'), 3)).toBe('Parley : 3 conversations non lues');
  });
});

describe('hidesOnClose', () => {
  const base = { platform: 'win32', closeToTray: true, hasTray: true, quitting: false };
  it('hides the window on Windows and Linux with the setting on', () => {
    expect(hidesOnClose(base)).toBe(true);
    expect(hidesOnClose({ ...base, platform: 'linux' })).toBe(true);
  });
  it('closes it with the setting off, without a tray, or while quitting', () => {
    expect(hidesOnClose({ ...base, closeToTray: false })).toBe(false);
    expect(hidesOnClose({ ...base, hasTray: false })).toBe(false);
    expect(hidesOnClose({ ...base, quitting: true })).toBe(false);
  });
  it('leaves macOS its own dock behaviour', () => {
    expect(hidesOnClose({ ...base, platform: 'darwin' })).toBe(false);
  });
});

describe('trayShown', () => {
  it('is always shown on Windows and macOS', () => {
    expect(trayShown({ platform: 'win32', desktop: undefined, watcher: null })).toBe(true);
    expect(trayShown({ platform: 'darwin', desktop: 'GNOME', watcher: false })).toBe(true);
  });

  it('is shown on Linux when a StatusNotifierItem watcher runs, whatever the desktop', () => {
    expect(trayShown({ platform: 'linux', desktop: 'GNOME', watcher: true })).toBe(true);
    expect(trayShown({ platform: 'linux', desktop: 'KDE', watcher: true })).toBe(true);
  });

  it('is not shown on GNOME without a watcher, which hides XEmbed trays', () => {
    expect(trayShown({ platform: 'linux', desktop: 'GNOME', watcher: false })).toBe(false);
    expect(trayShown({ platform: 'linux', desktop: 'ubuntu:GNOME', watcher: false })).toBe(false);
  });

  it('is shown on desktops that keep an XEmbed tray', () => {
    for (const desktop of ['XFCE', 'MATE', 'X-Cinnamon', 'LXQt', undefined]) {
      expect(trayShown({ platform: 'linux', desktop, watcher: false })).toBe(true);
    }
  });

  it('guesses from the desktop when D-Bus cannot be asked', () => {
    expect(trayShown({ platform: 'linux', desktop: 'GNOME', watcher: null })).toBe(false);
    expect(trayShown({ platform: 'linux', desktop: 'GNOME-Classic:GNOME', watcher: null })).toBe(false);
    expect(trayShown({ platform: 'linux', desktop: 'ubuntu:GNOME', watcher: null })).toBe(true);
    expect(trayShown({ platform: 'linux', desktop: 'KDE', watcher: null })).toBe(true);
  });
});

describe('readNameHasOwner', () => {
  it("reads gdbus's answer", () => {
    expect(readNameHasOwner('(true,)\n')).toBe(true);
    expect(readNameHasOwner('(false,)')).toBe(false);
    expect(readNameHasOwner('Error: The name org.freedesktop.DBus was not provided')).toBeNull();
    expect(readNameHasOwner('')).toBeNull();
  });

  it('asks gdbus, and answers null when it cannot run', async () => {
    const asked: string[][] = [];
    const answer = await askStatusNotifierWatcher((command, args) => {
      asked.push([command, ...args]);
      return Promise.resolve('(true,)\n');
    });
    expect(answer).toBe(true);
    expect(asked[0]?.slice(0, 2)).toEqual(['gdbus', 'call']);
    expect(asked[0]?.at(-1)).toBe('org.kde.StatusNotifierWatcher');
    expect(
      await askStatusNotifierWatcher(() =>
        Promise.reject(Object.assign(new Error('spawn gdbus ENOENT'), { code: 'ENOENT' })),
      ),
    ).toBeNull();
  });
});
