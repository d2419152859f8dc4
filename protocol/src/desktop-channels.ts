/**
 * The desktop IPC channel names alone, free of zod, so the preload bundle stays tiny.
 * `desktop.ts` holds their argument schemas and is checked to list the same names.
 */
export const DESKTOP_CHANNELS = ['app:getInfo', 'session:getToken', 'session:setToken', 'session:clearToken'] as const;

export type DesktopChannel = (typeof DESKTOP_CHANNELS)[number];

export const DESKTOP_API_KEY = 'parleyDesktop';

export function isDesktopChannel(value: unknown): value is DesktopChannel {
  return typeof value === 'string' && (DESKTOP_CHANNELS as readonly string[]).includes(value);
}
