import {
  DESKTOP_API_KEY,
  DesktopInfoSchema,
  LoginResponseSchema,
  desktopEvents,
  type DesktopApi,
  type DesktopEvent,
  type DesktopEventListener,
} from '@parley/protocol';
import { currentLocale, onLanguageChange, type Locale } from '../common/i18n/index.js';
import { setSessionRefresher } from './http.js';
import { packTokens, unpackTokens } from './session.js';

/**
 * What the app needs from its host. Inside Electron it goes through the preload's typed
 * bridge; in a plain browser the same features fall back to web APIs, which is what lets
 * the whole app run, and be tested, in any browser.
 */
export type Desktop = {
  kind: 'electron' | 'browser';
  serverUrl: string;
  /** The stored access token, or null when the session lives in browser cookies. */
  getToken(): Promise<string | null>;
  /** Keeps a sign-in's tokens (the refresh token renews the access token when it runs out). */
  setToken(token: string, refreshToken?: string): Promise<void>;
  clearToken(): Promise<void>;
  /** A system notification; clicking it brings the app forward and runs `onClick`. */
  notify(notification: DesktopNotification): void;
  /** Asks once for permission to notify; call it from a user's gesture (signing in). */
  requestNotifications(): void;
  /**
   * Listens to what the desktop shell asks of the page (show a conversation, ...); the
   * returned function stops listening. In a browser nothing ever arrives.
   */
  on<E extends DesktopEvent>(event: E, listener: DesktopEventListener<E>): () => void;
};

export type DesktopNotification = { title: string; body: string; tag: string; onClick: () => void };

/**
 * Notifications go through the web API in both hosts: Electron shows them natively and its
 * permission handler allows exactly this one permission.
 */
function notify({ title, body, tag, onClick }: DesktopNotification): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const shown = new Notification(title, { body, tag });
  shown.onclick = () => {
    window.focus();
    onClick();
  };
}

function requestNotifications(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  void Notification.requestPermission().catch(() => undefined);
}

function bridge(): DesktopApi | undefined {
  const candidate: unknown = (window as unknown as Record<string, unknown>)[DESKTOP_API_KEY];
  if (typeof candidate === 'object' && candidate !== null && 'invoke' in candidate) return candidate as DesktopApi;
  return undefined;
}

/** The shell's events, each payload parsed again: the page trusts its schema, not the sender. */
function listen(api: DesktopApi) {
  return <E extends DesktopEvent>(event: E, listener: DesktopEventListener<E>): (() => void) =>
    api.on(event, (payload) => {
      const parsed = desktopEvents[event].safeParse(payload);
      if (parsed.success) listener(parsed.data);
      else console.warn(`Ignored a malformed ${event} event from the desktop shell`);
    });
}

const neverCalled = (): (() => void) => () => undefined;

export async function connectDesktop(): Promise<Desktop> {
  const api = bridge();
  if (api === undefined) {
    return {
      kind: 'browser',
      serverUrl: window.location.origin,
      // The server keeps a browser's session in an HttpOnly cookie scripts cannot read.
      getToken: () => Promise.resolve(null),
      setToken: () => Promise.resolve(),
      clearToken: () => Promise.resolve(),
      notify,
      requestNotifications,
      on: neverCalled,
    };
  }
  const info = DesktopInfoSchema.parse(await api.invoke('app:getInfo'));
  const serverUrl = info.serverUrl;
  const stored = async () => unpackTokens(await api.invoke('session:getToken', serverUrl));
  setSessionRefresher(serverUrl, async () => {
    const tokens = await stored();
    if (tokens === null || tokens.refresh === null) return false;
    const response = await fetch(new URL('/api/auth/refresh', serverUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: tokens.refresh }),
    });
    if (!response.ok) return false;
    const next = LoginResponseSchema.safeParse(await response.json().catch(() => null));
    if (!next.success) return false;
    await api.invoke(
      'session:setToken',
      serverUrl,
      packTokens({ access: next.data.token, refresh: next.data.refreshToken }),
    );
    return true;
  });
  // The shell's menus and dialogs speak the language the agent chose here.
  const reportLanguage = (language: Locale): void => {
    void api.invoke('app:setLanguage', language).catch((error: unknown) => {
      console.warn('The desktop shell did not take the language', error);
    });
  };
  reportLanguage(currentLocale());
  onLanguageChange(reportLanguage);
  return {
    kind: 'electron',
    serverUrl,
    getToken: async () => (await stored())?.access ?? null,
    setToken: async (token, refreshToken) => {
      await api.invoke('session:setToken', serverUrl, packTokens({ access: token, refresh: refreshToken ?? null }));
    },
    clearToken: () => api.invoke('session:clearToken', serverUrl),
    notify,
    requestNotifications,
    on: listen(api),
  };
}
