import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { buildTrayMenuTemplate, hidesOnClose, trayTooltip } from '../src/tray.js';
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
