/**
 * The one factory for Parley windows. The decisions live in `window-policy.ts`; this file
 * only hands them to Electron.
 */
import { BrowserWindow, shell, type BrowserWindowConstructorOptions, type Session, type WebContents } from 'electron';
import {
  guardNavigation,
  guardWindowOpen,
  permissionDecision,
  secureWebPreferences,
  type OpenExternal,
} from './window-policy.js';
import { MIN_POP_OUT_SIZE } from './popout-windows.js';
import type { Rectangle } from './window-state.js';

export type MainWindowOptions = {
  /** Absolute path of `preload/dist/preload.cjs`. */
  preloadPath: string;
  /** The page to load, e.g. `app://parley/index.html`. */
  entryUrl: string;
  appOrigin: string;
  onLoadError?: (error: unknown) => void;
};

function openInSystem(url: string): void {
  shell.openExternal(url).catch((error: unknown) => {
    console.error(`Could not open ${url} outside the app`, error);
  });
}

/** Navigation, popups and `<webview>`: the same rules for every web contents we create. */
export function hardenWebContents(
  contents: WebContents,
  appOrigin: string,
  openExternal: OpenExternal = openInSystem,
): void {
  contents.on('will-navigate', guardNavigation(appOrigin, openExternal));
  contents.setWindowOpenHandler(guardWindowOpen(appOrigin, openExternal));
  // webviewTag is already off; this also stops one being attached by any other route.
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** What the main window is created with; exported so the security audit checks these very options. */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    title: 'Parley',
    width: 1280,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    // Shown once painted, so the agent never sees a blank white frame.
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/**
 * What a conversation's own window is created with: the main window's web preferences,
 * exactly (the security audit checks these very options too), at its own place and size.
 */
export function popOutWindowOptions(preloadPath: string, bounds: Rectangle): BrowserWindowConstructorOptions {
  return {
    title: 'Parley',
    ...bounds,
    minWidth: MIN_POP_OUT_SIZE.width,
    minHeight: MIN_POP_OUT_SIZE.height,
    show: false,
    webPreferences: mainWindowOptions(preloadPath).webPreferences ?? secureWebPreferences(preloadPath),
  };
}

export type PopOutWindowOptions = {
  preloadPath: string;
  /** The app's page with the conversation's parameter (`popOutUrl`). */
  url: string;
  appOrigin: string;
  bounds: Rectangle;
  onLoadError?: (error: unknown) => void;
};

/** A conversation in a window of its own, under the same guards as the main window. */
export function createPopOutWindow(options: PopOutWindowOptions): BrowserWindow {
  const window = new BrowserWindow(popOutWindowOptions(options.preloadPath, options.bounds));
  hardenWebContents(window.webContents, options.appOrigin);
  window.once('ready-to-show', () => window.show());
  window.loadURL(options.url).catch((error: unknown) => {
    (options.onLoadError ?? console.error)(error);
  });
  return window;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(options.preloadPath));
  hardenWebContents(window.webContents, options.appOrigin);
  window.once('ready-to-show', () => window.show());
  window.loadURL(options.entryUrl).catch((error: unknown) => {
    (options.onLoadError ?? console.error)(error);
  });
  return window;
}

/** Every permission request and check is refused, except notifications from our pages. */
export function applyPermissionPolicy(session: Session, appOrigin: string): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(permissionDecision(permission, details.requestingUrl, appOrigin));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    permissionDecision(permission, requestingOrigin, appOrigin),
  );
}
