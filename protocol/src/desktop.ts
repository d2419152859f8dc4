import { z } from 'zod';
import type { DesktopChannel } from './desktop-channels.js';

export { DESKTOP_API_KEY, DESKTOP_CHANNELS, isDesktopChannel, type DesktopChannel } from './desktop-channels.js';

/**
 * The desktop API: one map from `domain:verb` IPC channel to its argument schema and
 * result. The main process validates every call against it; the preload exposes exactly
 * these channels and nothing else; the renderer falls back to web APIs when absent.
 */
export const desktopChannels = {
  'app:getInfo': z.tuple([]),
  'session:getToken': z.tuple([z.string().url()]),
  'session:setToken': z.tuple([z.string().url(), z.string().min(1).max(4096)]),
  'session:clearToken': z.tuple([z.string().url()]),
} as const satisfies Record<DesktopChannel, z.ZodTuple>;

export const DesktopInfoSchema = z.object({
  platform: z.string(),
  appVersion: z.string(),
  /** The Parley server this installation talks to. */
  serverUrl: z.string().url(),
  /** Whether tokens are encrypted by the operating system's keychain. */
  secureStorage: z.boolean(),
});
export type DesktopInfo = z.infer<typeof DesktopInfoSchema>;

export type DesktopResults = {
  'app:getInfo': DesktopInfo;
  'session:getToken': string | null;
  'session:setToken': boolean;
  'session:clearToken': undefined;
};

export type DesktopArgs<C extends DesktopChannel> = z.infer<(typeof desktopChannels)[C]>;

/** The object the preload puts on `window.parleyDesktop`. */
export type DesktopApi = {
  invoke<C extends DesktopChannel>(channel: C, ...args: DesktopArgs<C>): Promise<DesktopResults[C]>;
};
