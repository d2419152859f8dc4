/**
 * The desktop IPC names alone, free of zod, so the preload bundle stays tiny.
 * `desktop.ts` holds their schemas and is checked to list the same names.
 *
 * Channels go from the page to the main process (`invoke`, answered); events go from the
 * main process to the page (`on`, one-way): a notification or a deep link asking for a
 * conversation, the operating system asking for a presence, the updater's state.
 */
export const DESKTOP_CHANNELS = [
  'app:getInfo',
  'app:setLanguage',
  'session:getToken',
  'session:setToken',
  'session:clearToken',
  // Deep links, pop-out windows, spellcheck and updates.
  'deepLink:take',
  'window:popOut',
  'spellcheck:getLanguages',
  'spellcheck:setLanguages',
  'update:getStatus',
  'update:check',
  'update:install',
  'update:setChannel',
  // Notifications, the badge and tray, presence from the operating system.
  'notification:show',
  'notification:test',
  'shell:setBadge',
  'shell:setPreferences',
  'presence:changed',
] as const;

export type DesktopChannel = (typeof DESKTOP_CHANNELS)[number];

export const DESKTOP_EVENTS = [
  'conversation:open',
  // Updates.
  'update:status',
  // The tray or the operating system (idle, lock, sleep) asks for a presence.
  'presence:set',
] as const;

export type DesktopEvent = (typeof DESKTOP_EVENTS)[number];

export const DESKTOP_API_KEY = 'parleyDesktop';

export function isDesktopChannel(value: unknown): value is DesktopChannel {
  return typeof value === 'string' && (DESKTOP_CHANNELS as readonly string[]).includes(value);
}

export function isDesktopEvent(value: unknown): value is DesktopEvent {
  return typeof value === 'string' && (DESKTOP_EVENTS as readonly string[]).includes(value);
}
