import type { DesktopInfo, ShellLanguage } from '@parley/protocol';
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
  };
}
