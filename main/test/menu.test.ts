import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { buildMenuTemplate, commandKeyPress, type MenuCommand } from '../src/menu.js';
import { menuLabels } from '../src/menu-labels.js';
import { pickShellLanguage, shellWords } from '../src/words.js';

function build(platform: NodeJS.Platform, developer = false) {
  const commands: MenuCommand[] = [];
  const template = buildMenuTemplate({
    platform,
    appName: 'Parley',
    labels: menuLabels(shellWords('en')),
    developer,
    onCommand: (command) => commands.push(command),
  });
  return { template, commands };
}

function submenu(item: MenuItemConstructorOptions | undefined): MenuItemConstructorOptions[] {
  return Array.isArray(item?.submenu) ? item.submenu : [];
}

function allItems(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...allItems(submenu(item))]);
}

function click(item: MenuItemConstructorOptions | undefined): void {
  // The menu's own items ignore Electron's arguments.
  (item?.click as (() => void) | undefined)?.();
}

describe('buildMenuTemplate', () => {
  it('puts the app menu first on macOS, with Settings and Quit in it', () => {
    const { template } = build('darwin');
    expect(template.map((item) => item.role)).toEqual(['appMenu', 'editMenu', 'viewMenu', 'windowMenu', 'help']);
    const app = submenu(template[0]);
    expect(app.map((item) => item.role ?? item.id).filter(Boolean)).toEqual([
      'about',
      'settings',
      'services',
      'hide',
      'hideOthers',
      'unhide',
      'quit',
    ]);
  });

  it.each(['win32', 'linux'] as const)('has a File menu with Settings and Quit on %s, and no app menu', (platform) => {
    const { template } = build(platform);
    expect(template.map((item) => item.role)).toEqual(['fileMenu', 'editMenu', 'viewMenu', 'windowMenu', 'help']);
    expect(submenu(template[0]).map((item) => item.role ?? item.id ?? item.type)).toEqual([
      'settings',
      'separator',
      'quit',
    ]);
    expect(allItems(template).some((item) => item.role === 'services' || item.role === 'hide')).toBe(false);
  });

  it.each(['darwin', 'win32', 'linux'] as const)(
    "shows the app's shortcuts on %s without taking them from the page",
    (platform) => {
      const { template, commands } = build(platform);
      const items = allItems(template);
      const palette = items.find((item) => item.id === 'palette');
      const settings = items.find((item) => item.id === 'settings');
      expect(palette).toMatchObject({ accelerator: 'CmdOrCtrl+K', registerAccelerator: false });
      expect(settings).toMatchObject({ accelerator: 'CmdOrCtrl+,', registerAccelerator: false });
      click(palette);
      click(settings);
      click(items.find((item) => item.id === 'shortcuts'));
      expect(commands).toEqual(['palette', 'settings', 'shortcuts']);
    },
  );

  it.each([
    ['darwin', 'meta'],
    ['win32', 'control'],
  ] as const)('offers opening the conversation in a new window on %s, pressing its key', (platform, mod) => {
    const { template, commands } = build(platform);
    const popOut = allItems(template).find((item) => item.id === 'popOut');
    expect(popOut).toMatchObject({ accelerator: 'CmdOrCtrl+Shift+O', registerAccelerator: false });
    click(popOut);
    expect(commands).toEqual(['popOut']);
    expect(commandKeyPress('popOut', platform)).toEqual({ keyCode: 'o', modifiers: [mod, 'shift'] });
  });

  it('offers reload and developer tools only in a development run', () => {
    const roles = (developer: boolean) => allItems(build('linux', developer).template).map((item) => item.role);
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('reload');
    expect(roles(true)).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']));
  });

  it('names the menus in the first preferred language there are words for', () => {
    const labels = (preferred: string[]) => menuLabels(shellWords(pickShellLanguage(preferred)));
    expect(labels(['fr-CA', 'en-US'])).toMatchObject({ file: 'Fichier', settings: 'Réglages…' });
    expect(labels(['de-DE', 'fr-FR'])).toMatchObject({ help: 'Aide' });
    expect(labels(['ja-JP'])).toMatchObject({ help: 'Help' });
  });
});

describe('commandKeyPress', () => {
  it('sends the key the page listens for, with ⌘ on macOS and Ctrl elsewhere', () => {
    expect(commandKeyPress('palette', 'darwin')).toEqual({ keyCode: 'k', modifiers: ['meta'] });
    expect(commandKeyPress('palette', 'win32')).toEqual({ keyCode: 'k', modifiers: ['control'] });
    expect(commandKeyPress('settings', 'linux')).toEqual({ keyCode: ',', modifiers: ['control'] });
  });
});
