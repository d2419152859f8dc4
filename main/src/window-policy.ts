/**
 * The security decisions of every window, as plain functions. No runtime import of
 * `electron` here (types only), so all of it runs and is tested in Node; `window.ts` only
 * wires these into Electron's events.
 */
import type { WebPreferences } from 'electron';
import { originOf } from './app-origin.js';

export type NavigationDecision = 'allow' | 'external' | 'deny';

/** Schemes the system may open for us: web links in the browser, mail links in the mailer. */
const EXTERNAL_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/**
 * What to do when a page tries to go to `url`: stay (only our own pages), hand it to the
 * operating system (web and mail links), or refuse (`javascript:`, `file:`, `data:`, custom
 * protocol handlers, anything unparsable).
 */
export function navigationDecision(url: string, appOrigin: string): NavigationDecision {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'deny';
  }
  if (originOf(url) === appOrigin) return 'allow';
  if (!EXTERNAL_PROTOCOLS.has(parsed.protocol)) return 'deny';
  // A credentialed link ("https://bank.example@evil.example") is a phishing shape; the
  // agent gains nothing from opening it.
  if (parsed.username !== '' || parsed.password !== '') return 'deny';
  return 'external';
}

/**
 * The webPreferences of every Parley window. A customer's message is untrusted input
 * rendered in this page, so the page gets no Node, runs in Chromium's sandbox, and reaches
 * the main process only through the preload's narrow API.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  };
}

export type OpenExternal = (url: string) => void;

export type NavigationEvent = { readonly url: string; preventDefault(): void };

/**
 * Listener for `will-navigate`: the page may move between its own routes; a link to the
 * web opens in the system browser instead of replacing the app.
 */
export function guardNavigation(appOrigin: string, openExternal: OpenExternal): (event: NavigationEvent) => void {
  return (event) => {
    const decision = navigationDecision(event.url, appOrigin);
    if (decision === 'allow') return;
    event.preventDefault();
    if (decision === 'external') openExternal(event.url);
  };
}

/**
 * Handler for `setWindowOpenHandler`: the app never opens a second window of itself, and a
 * `target=_blank` link goes to the system browser.
 */
export function guardWindowOpen(
  appOrigin: string,
  openExternal: OpenExternal,
): (details: { readonly url: string }) => { action: 'deny' } {
  return ({ url }) => {
    if (navigationDecision(url, appOrigin) === 'external') openExternal(url);
    return { action: 'deny' };
  };
}

/** Notifications are the only web permission the inbox needs, and only for its own pages. */
export function permissionDecision(permission: string, requestingUrl: string, appOrigin: string): boolean {
  return permission === 'notifications' && originOf(requestingUrl) === appOrigin;
}
