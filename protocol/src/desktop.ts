import { z } from 'zod';
import type { DesktopChannel, DesktopEvent } from './desktop-channels.js';

export {
  DESKTOP_API_KEY,
  DESKTOP_CHANNELS,
  DESKTOP_EVENTS,
  isDesktopChannel,
  isDesktopEvent,
  type DesktopChannel,
  type DesktopEvent,
} from './desktop-channels.js';

/**
 * The desktop API: one map from `domain:verb` IPC channel to its argument schema and
 * result. The main process validates every call against it; the preload exposes exactly
 * these channels and nothing else; the renderer falls back to web APIs when absent.
 */
/** The languages the desktop shell has words in: the app's own. */
export const ShellLanguageSchema = z.enum(['en', 'fr']);
export type ShellLanguage = z.infer<typeof ShellLanguageSchema>;

export const desktopChannels = {
  'app:getInfo': z.tuple([]),
  /** The language the agent chose in the app: the shell's menus, tray and dialogs follow it. */
  'app:setLanguage': z.tuple([ShellLanguageSchema]),
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
  'app:setLanguage': undefined;
  'session:getToken': string | null;
  'session:setToken': boolean;
  'session:clearToken': undefined;
};

export type DesktopArgs<C extends DesktopChannel> = z.infer<(typeof desktopChannels)[C]>;

/**
 * What the main process may tell the page, each with the schema of its one payload. The
 * main process sends only payloads that pass it; the page parses them again before use.
 */
export const desktopEvents = {
  /**
   * Show this conversation: a notification was clicked, a `parley://conversation/<id>` link
   * was opened, or the tray asked. The id is the server's; the page says when the agent
   * cannot see it.
   */
  'conversation:open': z.object({ conversationId: z.string().min(1).max(200) }),
} as const satisfies Record<DesktopEvent, z.ZodType>;

export type DesktopEventPayload<E extends DesktopEvent> = z.infer<(typeof desktopEvents)[E]>;

export type DesktopEventListener<E extends DesktopEvent> = (payload: DesktopEventPayload<E>) => void;

/** The object the preload puts on `window.parleyDesktop`. */
export type DesktopApi = {
  invoke<C extends DesktopChannel>(channel: C, ...args: DesktopArgs<C>): Promise<DesktopResults[C]>;
  /** Listens to one main-process event; the returned function stops listening. */
  on<E extends DesktopEvent>(event: E, listener: DesktopEventListener<E>): () => void;
};
