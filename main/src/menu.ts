/**
 * The application menu: the standard roles each OS expects (the app menu on macOS; edit,
 * view, window and help everywhere) and the app's own shortcuts. The shortcuts are the
 * renderer's (its command list handles Ctrl/⌘+K and Ctrl/⌘+,): the menu shows them without
 * registering them, so the key still reaches the page, and a click sends the page the same
 * key press.
 */
import type { MenuItemConstructorOptions } from 'electron';

export type MenuCommand = 'palette' | 'settings' | 'shortcuts' | 'popOut';

export type MenuLabels = {
  file: string;
  edit: string;
  view: string;
  window: string;
  help: string;
  palette: string;
  settings: string;
  shortcuts: string;
  popOut: string;
};

/** A key press as `webContents.sendInputEvent` takes it. */
export type KeyPress = { keyCode: string; modifiers: ('control' | 'meta' | 'shift')[] };

export function commandKeyPress(command: MenuCommand, platform: NodeJS.Platform): KeyPress {
  const mod = platform === 'darwin' ? 'meta' : 'control';
  switch (command) {
    case 'palette':
      return { keyCode: 'k', modifiers: [mod] };
    case 'settings':
      return { keyCode: ',', modifiers: [mod] };
    case 'shortcuts':
      return { keyCode: '?', modifiers: ['shift'] };
    case 'popOut':
      return { keyCode: 'o', modifiers: [mod, 'shift'] };
  }
}

export type MenuOptions = {
  platform: NodeJS.Platform;
  appName: string;
  labels: MenuLabels;
  /** Reload and developer tools: only in a development run. */
  developer: boolean;
  onCommand: (command: MenuCommand) => void;
};

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const { platform, labels, onCommand } = options;
  const mac = platform === 'darwin';
  const command = (id: MenuCommand, label: string, accelerator?: string): MenuItemConstructorOptions => ({
    id,
    label,
    ...(accelerator === undefined ? {} : { accelerator, registerAccelerator: false }),
    click: () => onCommand(id),
  });
  const settings = command('settings', labels.settings, 'CmdOrCtrl+,');

  const appMenu: MenuItemConstructorOptions = {
    role: 'appMenu',
    label: options.appName,
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      settings,
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  const fileMenu: MenuItemConstructorOptions = {
    role: 'fileMenu',
    label: labels.file,
    submenu: [settings, { type: 'separator' }, { role: 'quit' }],
  };
  const viewMenu: MenuItemConstructorOptions = {
    role: 'viewMenu',
    label: labels.view,
    submenu: [
      command('palette', labels.palette, 'CmdOrCtrl+K'),
      command('popOut', labels.popOut, 'CmdOrCtrl+Shift+O'),
      { type: 'separator' },
      ...(options.developer
        ? ([
            { role: 'reload' },
            { role: 'forceReload' },
            { role: 'toggleDevTools' },
            { type: 'separator' },
          ] satisfies MenuItemConstructorOptions[])
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const helpMenu: MenuItemConstructorOptions = {
    role: 'help',
    label: labels.help,
    submenu: [command('shortcuts', labels.shortcuts)],
  };

  return [
    ...(mac ? [appMenu] : [fileMenu]),
    { role: 'editMenu', label: labels.edit },
    viewMenu,
    { role: 'windowMenu', label: labels.window },
    helpMenu,
  ];
}
