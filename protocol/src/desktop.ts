import { z } from 'zod';
import { PresenceSchema } from './domain.js';
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

// ---- Deep links, pop-out windows, spellcheck and updates --------------------------------

/** A conversation id as a link or a window may carry it: the server's ids and nothing wider. */
export const DesktopConversationIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/);

export const UpdateChannelSchema = z.enum(['stable', 'beta']);
export type UpdateChannel = z.infer<typeof UpdateChannelSchema>;

export const UpdateErrorCodeSchema = z.enum([
  'unreachable',
  'feed-missing',
  'feed-invalid',
  'checksum-mismatch',
  'signature-invalid',
  'unknown',
]);
export type UpdateErrorCode = z.infer<typeof UpdateErrorCodeSchema>;

/** What the updater is doing, as the page shows it. */
export const UpdatePhaseSchema = z.discriminatedUnion('kind', [
  /** No update feed is configured for this installation. */
  z.object({ kind: z.literal('disabled') }),
  z.object({ kind: z.literal('upToDate'), checkedAt: z.number().int().nullable() }),
  z.object({ kind: z.literal('checking') }),
  z.object({ kind: z.literal('downloading'), version: z.string().max(64), percent: z.number().min(0).max(100) }),
  z.object({ kind: z.literal('ready'), version: z.string().max(64) }),
  /** A check or download failed; it is tried again by itself at `retryAt` (epoch ms). */
  z.object({ kind: z.literal('failed'), code: UpdateErrorCodeSchema, retryAt: z.number().int().nullable() }),
]);
export type UpdatePhase = z.infer<typeof UpdatePhaseSchema>;

export const UpdateStatusSchema = z.object({
  /** The version running now. */
  version: z.string().max(64),
  channel: UpdateChannelSchema,
  phase: UpdatePhaseSchema,
});
export type UpdateStatus = z.infer<typeof UpdateStatusSchema>;

/** A spellchecker language code as Chromium names them ("en-US", "fr", "pt-BR"). */
export const SpellcheckLanguageSchema = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/);

export const SpellcheckInfoSchema = z.object({
  /**
   * The operating system chooses the languages itself (macOS): the page shows no picker.
   * `available` and `selected` are then empty.
   */
  systemManaged: z.boolean(),
  available: z.array(SpellcheckLanguageSchema),
  selected: z.array(SpellcheckLanguageSchema),
});
export type SpellcheckInfo = z.infer<typeof SpellcheckInfoSchema>;

const deepLinkAndWindowChannels = {
  /** The page is ready: the link that arrived before it listened (if any), handed over once. */
  'deepLink:take': z.tuple([]),
  /** Opens a conversation in a window of its own, or brings forward the one already open. */
  'window:popOut': z.tuple([z.object({ conversationId: DesktopConversationIdSchema })]),
  'spellcheck:getLanguages': z.tuple([]),
  /** The languages to check the composer in; answers the ones actually set. */
  'spellcheck:setLanguages': z.tuple([z.array(SpellcheckLanguageSchema).max(8)]),
  'update:getStatus': z.tuple([]),
  /** Checks for an update now (does nothing while one is checked, downloaded or waiting). */
  'update:check': z.tuple([]),
  /** Restarts into the downloaded update; false when none is ready. */
  'update:install': z.tuple([]),
  /** Stable or beta, kept in the app's update settings and applied at once. */
  'update:setChannel': z.tuple([UpdateChannelSchema]),
} as const;
/** A notification the page asks the shell to show; clicking it sends `conversation:open`. */
export const NativeNotificationSchema = z.object({
  /** Same id, same notification: a newer one replaces it (one per conversation, one digest). */
  id: z.string().min(1).max(200),
  title: z.string().max(300),
  body: z.string().max(2000),
  /** The conversation a click opens; null for one that only brings the window forward. */
  conversationId: DesktopConversationIdSchema.nullable(),
  silent: z.boolean(),
});
export type NativeNotification = z.infer<typeof NativeNotificationSchema>;

export const NotificationTestRequestSchema = z.object({
  title: z.string().max(300),
  body: z.string().max(2000),
});
export type NotificationTestRequest = z.infer<typeof NotificationTestRequestSchema>;

/**
 * What became of a test notification: shown; `unsupported` (no notification service: on
 * Linux, no notification daemon); `failed` (the system refused it: on Windows, focus assist
 * or notifications turned off for the app); `noShow` (nothing came back within a few
 * seconds: on macOS, notifications not allowed in System Settings); `denied` and `default`
 * are a browser's permission.
 */
export const NotificationTestOutcomeSchema = z.enum(['shown', 'unsupported', 'failed', 'noShow', 'denied', 'default']);
export type NotificationTestOutcome = z.infer<typeof NotificationTestOutcomeSchema>;

/** The shell's own settings, which it needs before (and without) the page. */
export const ShellPreferencesSchema = z.object({
  /** Closing the window keeps the app in the tray (Windows and Linux; macOS keeps its dock). */
  closeToTray: z.boolean(),
  /** Minutes without input before the agent shows as away; 0 turns it off. */
  idleMinutes: z.number().int().min(0).max(240),
});
export type ShellPreferences = z.infer<typeof ShellPreferencesSchema>;

/** Why the shell asks for a presence: the tray's switch, or what the operating system saw. */
export const PresenceReasonSchema = z.enum([
  'tray',
  'idle',
  'lock-screen',
  'suspend',
  'active',
  'unlock-screen',
  'resume',
]);
export type PresenceReason = z.infer<typeof PresenceReasonSchema>;

export const desktopChannels = {
  'app:getInfo': z.tuple([]),
  /** The language the agent chose in the app: the shell's menus, tray and dialogs follow it. */
  'app:setLanguage': z.tuple([ShellLanguageSchema]),
  'session:getToken': z.tuple([z.string().url()]),
  'session:setToken': z.tuple([z.string().url(), z.string().min(1).max(4096)]),
  'session:clearToken': z.tuple([z.string().url()]),
  ...deepLinkAndWindowChannels,
  // Notifications, the badge and tray, presence from the operating system.
  /** Shows a native notification; one with the id of a shown one replaces it. */
  'notification:show': z.tuple([NativeNotificationSchema]),
  /** Shows a test notification and says whether the operating system showed it. */
  'notification:test': z.tuple([NotificationTestRequestSchema]),
  /** The count on the dock, the taskbar, the launcher and the tray. */
  'shell:setBadge': z.tuple([z.number().int().min(0).max(1_000_000)]),
  /** The shell's settings, kept by the main process for the next start. */
  'shell:setPreferences': z.tuple([ShellPreferencesSchema]),
  /** The agent's presence as the server last said: the tray and the idle watcher follow it. */
  'presence:changed': z.tuple([PresenceSchema]),
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
  // Deep links, pop-out windows, spellcheck and updates.
  'deepLink:take': { conversationId: string } | null;
  'window:popOut': undefined;
  'spellcheck:getLanguages': SpellcheckInfo;
  'spellcheck:setLanguages': string[];
  'update:getStatus': UpdateStatus;
  'update:check': undefined;
  'update:install': boolean;
  'update:setChannel': undefined;
  // Notifications, the badge and tray, presence from the operating system.
  /** Whether it was handed to the operating system. */
  'notification:show': boolean;
  'notification:test': NotificationTestOutcome;
  'shell:setBadge': undefined;
  'shell:setPreferences': undefined;
  'presence:changed': undefined;
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
  'conversation:open': z.object({ conversationId: DesktopConversationIdSchema }),
  /** The updater's state changed (checking, downloading, ready, failed...). */
  'update:status': UpdateStatusSchema,
  /**
   * Set the agent's presence (the server accepts online and away): the tray's switch, or
   * the operating system saw them leave (idle, locked, asleep) or come back.
   */
  'presence:set': z.object({ presence: z.enum(['online', 'away']), reason: PresenceReasonSchema }),
} as const satisfies Record<DesktopEvent, z.ZodType>;

export type DesktopEventPayload<E extends DesktopEvent> = z.infer<(typeof desktopEvents)[E]>;

export type DesktopEventListener<E extends DesktopEvent> = (payload: DesktopEventPayload<E>) => void;

/** The object the preload puts on `window.parleyDesktop`. */
export type DesktopApi = {
  invoke<C extends DesktopChannel>(channel: C, ...args: DesktopArgs<C>): Promise<DesktopResults[C]>;
  /** Listens to one main-process event; the returned function stops listening. */
  on<E extends DesktopEvent>(event: E, listener: DesktopEventListener<E>): () => void;
};
