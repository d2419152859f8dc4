import {
  DESKTOP_API_KEY,
  DesktopConversationIdSchema,
  DesktopInfoSchema,
  LoginResponseSchema,
  SpellcheckInfoSchema,
  UpdateStatusSchema,
  desktopEvents,
  type DesktopApi,
  type DesktopEvent,
  type DesktopEventListener,
  type DesktopEventPayload,
  type NotificationTestOutcome,
  type NotificationTestRequest,
  type Presence,
  type ShellPreferences,
  type SpellcheckInfo,
  type UpdateChannel,
  type UpdateStatus,
} from '@parley/protocol';
import { createContext } from 'react';
import { currentLocale, onLanguageChange, type Locale } from '../common/i18n/index.js';
import { setSessionRefresher } from './http.js';
import { holdingUnheardOpens } from './openRequests.js';
import { packTokens, unpackTokens } from './session.js';

/**
 * What the app needs from its host. Inside Electron it goes through the preload's typed
 * bridge; in a plain browser the same features fall back to web APIs, which is what lets
 * the whole app run, and be tested, in any browser.
 */
export type Desktop = {
  kind: 'electron' | 'browser';
  /** The operating system inside Electron (`darwin`, `win32`, `linux`); `web` in a browser. */
  platform: string;
  serverUrl: string;
  /** The stored access token, or null when the session lives in browser cookies. */
  getToken(): Promise<string | null>;
  /** Keeps a sign-in's tokens (the refresh token renews the access token when it runs out). */
  setToken(token: string, refreshToken?: string): Promise<void>;
  clearToken(): Promise<void>;
  /**
   * A system notification; clicking it brings the app forward and opens its conversation
   * (in a browser by `onClick`; inside Electron the shell sends `conversation:open`).
   */
  notify(notification: DesktopNotification): void;
  /** Asks once for permission to notify; call it from a user's gesture (signing in). */
  requestNotifications(): void;
  /** Shows a test notification and says what the system did with it. */
  testNotification(request: NotificationTestRequest): Promise<NotificationTestOutcome>;
  /** The unread count on the dock, taskbar, launcher and tray; nothing in a browser. */
  setBadge(count: number): void;
  /** The shell's own settings (close to the tray, idle minutes); nothing in a browser. */
  setShellPreferences(preferences: ShellPreferences): void;
  /** The agent's presence as the server holds it, for the tray and the idle watcher. */
  reportPresence(presence: Presence): void;
  /**
   * Listens to what the desktop shell asks of the page (show a conversation, ...); the
   * returned function stops listening. In a browser nothing ever arrives.
   */
  on<E extends DesktopEvent>(event: E, listener: DesktopEventListener<E>): () => void;
  /**
   * The conversation a link asked for before the page listened, handed over once: a
   * `parley://` link in the desktop app, `?conversation=<id>` in a browser. Later ones
   * arrive as `conversation:open`.
   */
  takeDeepLink(): Promise<string | null>;
  /** The desktop app's updater; null in a browser, where the page is always the server's newest. */
  updates: DesktopUpdates | null;
  /** Chromium's spellchecker languages; null in a browser, which checks in its own. */
  spellcheck: DesktopSpellcheck | null;
};

export type DesktopUpdates = {
  getStatus(): Promise<UpdateStatus>;
  check(): Promise<void>;
  install(): Promise<boolean>;
  setChannel(channel: UpdateChannel): Promise<void>;
};

export type DesktopSpellcheck = {
  getLanguages(): Promise<SpellcheckInfo>;
  setLanguages(languages: string[]): Promise<string[]>;
};

// ---- Deep links and pop-out windows ------------------------------------------------------

/** The page's URL parameters: a conversation asked for by a link, and a pop-out window's own. */
export const DEEP_LINK_PARAM = 'conversation';
export const POP_OUT_PARAM = 'popout';

function conversationParam(search: string, name: string): string | null {
  const parsed = DesktopConversationIdSchema.safeParse(new URLSearchParams(search).get(name));
  return parsed.success ? parsed.data : null;
}

/** The conversation this window shows alone (`?popout=<id>`), or null for the app's main window. */
export function popOutConversationId(search: string = window.location.search): string | null {
  return conversationParam(search, POP_OUT_PARAM);
}

/** The page of a conversation's own window, on this page's origin. */
export function popOutUrl(conversationId: string, href: string = window.location.href): string {
  const url = new URL(href);
  url.search = '';
  url.hash = '';
  url.searchParams.set(POP_OUT_PARAM, conversationId);
  return url.toString();
}

/** The browser's one deep link, read once and removed from the address so a reload does not repeat it. */
let browserLinkTaken = false;
function takeBrowserDeepLink(): Promise<string | null> {
  if (browserLinkTaken) return Promise.resolve(null);
  browserLinkTaken = true;
  const id = conversationParam(window.location.search, DEEP_LINK_PARAM);
  if (new URLSearchParams(window.location.search).has(DEEP_LINK_PARAM)) {
    const url = new URL(window.location.href);
    url.searchParams.delete(DEEP_LINK_PARAM);
    window.history.replaceState(window.history.state, '', url);
  }
  return Promise.resolve(id);
}

/**
 * Opens a conversation in a window of its own, or brings forward the one already open: the
 * desktop app makes a window with the main one's protections; a browser opens a named
 * window, which it reuses for the same conversation.
 */
export function openConversationWindow(conversationId: string): void {
  const api = bridge();
  if (api !== undefined) {
    void api.invoke('window:popOut', { conversationId }).catch((error: unknown) => {
      console.warn('The desktop shell did not open the window', error);
    });
    return;
  }
  window.open(popOutUrl(conversationId), `parley-conversation-${conversationId}`, 'popup,width=560,height=760');
}

/** The parts of the host a settings panel needs, reachable without the connected `Desktop`. */
export type HostFeatures = Pick<Desktop, 'on' | 'updates' | 'spellcheck'>;

let host: HostFeatures | null = null;

/** The updater, the spellchecker and the shell's events of this page's host (nulls in a browser). */
export function hostFeatures(): HostFeatures {
  if (host !== null) return host;
  const api = bridge();
  host =
    api === undefined
      ? { on: neverCalled, updates: null, spellcheck: null }
      : {
          on: listen(api),
          updates: {
            getStatus: async () => UpdateStatusSchema.parse(await api.invoke('update:getStatus')),
            check: () => api.invoke('update:check'),
            install: () => api.invoke('update:install'),
            setChannel: (channel) => api.invoke('update:setChannel', channel),
          },
          spellcheck: {
            getLanguages: async () => SpellcheckInfoSchema.parse(await api.invoke('spellcheck:getLanguages')),
            setLanguages: (languages) => api.invoke('spellcheck:setLanguages', languages),
          },
        };
  return host;
}

/**
 * How a conversation is popped out from here: the thread header offers it when set. A
 * pop-out window itself provides null (it shows one conversation already).
 */
export const PopOutContext = createContext<((conversationId: string) => void) | null>(openConversationWindow);

export type DesktopNotification = {
  title: string;
  body: string;
  /** One notification per tag: a newer one replaces the older (one per conversation, one digest). */
  tag: string;
  /** The conversation a click opens; null for one that only brings the app forward. */
  conversationId: string | null;
  silent: boolean;
  onClick: () => void;
};

/** In a browser: the web API, once the agent allowed it. */
function notify({ title, body, tag, silent, onClick }: DesktopNotification): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const shown = new Notification(title, { body, tag, silent });
  shown.onclick = () => {
    window.focus();
    onClick();
  };
}

/** In a browser the permission is the answer: denied or not yet given says what to do. */
async function testNotification({ title, body }: NotificationTestRequest): Promise<NotificationTestOutcome> {
  if (typeof Notification === 'undefined') return 'unsupported';
  let permission = Notification.permission;
  if (permission === 'default') permission = await Notification.requestPermission().catch(() => 'default' as const);
  if (permission !== 'granted') return permission;
  try {
    new Notification(title, { body, tag: 'parley:test' });
    return 'shown';
  } catch {
    return 'failed';
  }
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
const listening = new WeakMap<DesktopApi, Desktop['on']>();

/** The shell's events, checked against their schemas; one listener set per bridge. */
function listen(api: DesktopApi): Desktop['on'] {
  let on = listening.get(api);
  if (on === undefined) {
    on = holdingUnheardOpens(<E extends DesktopEvent>(event: E, listener: DesktopEventListener<E>): (() => void) =>
      api.on(event, (payload) => {
        const parsed = desktopEvents[event].safeParse(payload);
        // The schema is the event's own: what it parsed is that event's payload.
        if (parsed.success) listener(parsed.data as DesktopEventPayload<E>);
        else console.warn(`Ignored a malformed ${event} event from the desktop shell`);
      }),
    );
    listening.set(api, on);
  }
  return on;
}

const neverCalled = (): (() => void) => () => undefined;
const nothing = (): void => undefined;

/** A call to the shell whose answer nobody waits for: a failure is logged, never thrown. */
function tell(promise: Promise<unknown>, what: string): void {
  void promise.catch((error: unknown) => console.warn(`The desktop shell did not take ${what}`, error));
}

/** The host this page connected to; null before `connectDesktop` has answered. */
let connected: Desktop | null = null;

/** The host, for views far from the frame that holds it (the settings' desktop section). */
export function connectedDesktop(): Desktop | null {
  return connected;
}

export async function connectDesktop(): Promise<Desktop> {
  connected = await connectHost();
  return connected;
}

async function connectHost(): Promise<Desktop> {
  const api = bridge();
  if (api === undefined) {
    return {
      kind: 'browser',
      platform: 'web',
      serverUrl: window.location.origin,
      // The server keeps a browser's session in an HttpOnly cookie scripts cannot read.
      getToken: () => Promise.resolve(null),
      setToken: () => Promise.resolve(),
      clearToken: () => Promise.resolve(),
      notify,
      requestNotifications,
      testNotification,
      setBadge: nothing,
      setShellPreferences: nothing,
      reportPresence: nothing,
      on: neverCalled,
      takeDeepLink: takeBrowserDeepLink,
      updates: null,
      spellcheck: null,
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
    platform: info.platform,
    serverUrl,
    getToken: async () => (await stored())?.access ?? null,
    setToken: async (token, refreshToken) => {
      await api.invoke('session:setToken', serverUrl, packTokens({ access: token, refresh: refreshToken ?? null }));
    },
    clearToken: () => api.invoke('session:clearToken', serverUrl),
    // Native notifications: the shell shows them and, on a click, brings the window forward
    // and sends `conversation:open`.
    notify: ({ title, body, tag, conversationId, silent }) =>
      tell(api.invoke('notification:show', { id: tag, title, body, conversationId, silent }), 'a notification'),
    // Electron allows notifications without asking.
    requestNotifications: nothing,
    testNotification: (request) => api.invoke('notification:test', request),
    setBadge: (count) => tell(api.invoke('shell:setBadge', count), 'the unread count'),
    setShellPreferences: (preferences) => tell(api.invoke('shell:setPreferences', preferences), 'the settings'),
    reportPresence: (presence) => tell(api.invoke('presence:changed', presence), 'the presence'),
    on: listen(api),
    takeDeepLink: async () => {
      const link = await api.invoke('deepLink:take');
      const parsed = DesktopConversationIdSchema.safeParse(link?.conversationId);
      return parsed.success ? parsed.data : null;
    },
    updates: hostFeatures().updates,
    spellcheck: hostFeatures().spellcheck,
  };
}
