/**
 * The tray icon's menu and tooltip, and what closing the window does while it is there.
 * Pure: the composition root builds Electron's `Menu` from this template and gives it
 * to the `Tray`.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { Presence } from '@parley/protocol';
import type { ShellWords } from './words.js';

export type TrayMenuInput = {
  words: ShellWords;
  /** The agent's presence as the page last reported it; null before it has. */
  presence: Presence | null;
  onPresence(presence: 'online' | 'away'): void;
  onOpen(): void;
  onQuit(): void;
};

/**
 * Open; the presence switch (Online, Away, Offline as radio items, the current one
 * checked); Quit. The server sets Offline itself when the connection is gone, so Offline
 * is shown, checked then, but cannot be chosen. Before the page has said, nothing is
 * checked and nothing can be chosen.
 */
export function buildTrayMenuTemplate(input: TrayMenuInput): MenuItemConstructorOptions[] {
  const { words, presence } = input;
  const known = presence !== null;
  const radio = (value: Presence, label: string): MenuItemConstructorOptions => ({
    id: `presence-${value}`,
    label,
    type: 'radio',
    checked: presence === value,
    enabled: known && value !== 'offline',
    ...(value === 'offline' ? {} : { click: () => input.onPresence(value) }),
  });
  return [
    { id: 'open', label: words('tray.open'), click: () => input.onOpen() },
    { type: 'separator' },
    { id: 'presence', label: words('tray.presence'), enabled: false },
    radio('online', words('tray.online')),
    radio('away', words('tray.away')),
    radio('offline', words('tray.offline')),
    { type: 'separator' },
    { id: 'quit', label: words('tray.quit'), click: () => input.onQuit() },
  ];
}

/** "Parley", or "Parley: 3 unread conversations". */
export function trayTooltip(words: ShellWords, unread: number): string {
  if (unread <= 0) return words('tray.tooltip');
  return words(unread === 1 ? 'tray.tooltipUnreadOne' : 'tray.tooltipUnread', { count: unread });
}

/**
 * Whether closing the window hides it instead: only with the setting on, on Windows and
 * Linux with a tray to come back from, and never while quitting. macOS keeps its own
 * behaviour (the app stays in the dock).
 */
export function hidesOnClose(input: {
  platform: string;
  closeToTray: boolean;
  hasTray: boolean;
  quitting: boolean;
}): boolean {
  return input.platform !== 'darwin' && input.closeToTray && input.hasTray && !input.quitting;
}
