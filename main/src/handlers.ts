import type {
  DesktopInfo,
  NativeNotification,
  NotificationTestOutcome,
  NotificationTestRequest,
  Presence,
  ShellLanguage,
  ShellPreferences,
} from '@parley/protocol';
import type { DesktopHandlers } from './ipc.js';
import type { TokenStore } from './token-store.js';
import { createWindowHandlers, type WindowHandlerDeps } from './window-handlers.js';

export type DesktopHandlerDeps = {
  platform: string;
  appVersion: string;
  serverUrl: string;
  tokens: Pick<TokenStore, 'get' | 'set' | 'clear' | 'isSecure'>;
  /** The app's language changed: the shell's own words follow. */
  setLanguage: (language: ShellLanguage) => void;
  /** Deep links, pop-out windows, spellcheck and updates. */
  windows: WindowHandlerDeps;
  /** Notifications, the badge and tray, presence from the operating system. */
  shell: ShellHandlerDeps;
};

/** What the notification, badge, tray and presence channels reach in the main process. */
export type ShellHandlerDeps = {
  showNotification(notification: NativeNotification): boolean;
  testNotification(request: NotificationTestRequest): Promise<NotificationTestOutcome>;
  setBadge(count: number): void;
  setPreferences(preferences: ShellPreferences): void;
  presenceChanged(presence: Presence): void;
};

/** What each desktop channel does. Arguments arrive already validated by `ipc.ts`. */
export function createDesktopHandlers(deps: DesktopHandlerDeps): DesktopHandlers {
  return {
    'app:getInfo': (): DesktopInfo => ({
      platform: deps.platform,
      appVersion: deps.appVersion,
      serverUrl: deps.serverUrl,
      secureStorage: deps.tokens.isSecure(),
    }),
    'app:setLanguage': (language) => {
      deps.setLanguage(language);
      return undefined;
    },
    'session:getToken': (serverUrl) => deps.tokens.get(serverUrl),
    'session:setToken': (serverUrl, token) => deps.tokens.set(serverUrl, token),
    'session:clearToken': async (serverUrl) => {
      await deps.tokens.clear(serverUrl);
      return undefined;
    },
    // Deep links, pop-out windows, spellcheck and updates.
    ...createWindowHandlers(deps.windows),
    // Notifications, the badge and tray, presence from the operating system.
    'notification:show': (notification) => deps.shell.showNotification(notification),
    'notification:test': (request) => deps.shell.testNotification(request),
    'shell:setBadge': (count) => {
      deps.shell.setBadge(count);
      return undefined;
    },
    'shell:setPreferences': (preferences) => {
      deps.shell.setPreferences(preferences);
      return undefined;
    },
    'presence:changed': (presence) => {
      deps.shell.presenceChanged(presence);
      return undefined;
    },
  };
}
