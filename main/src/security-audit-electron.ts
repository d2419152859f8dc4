/**
 * A recording stand-in for the few parts of Electron that `window.ts` touches, so the
 * security audit can run the app's real window factory in Node and read what it did: the
 * options given to `new BrowserWindow`, the listeners put on its web contents, and the
 * handlers given to a session. Only the audit and its test load it, in place of `electron`.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/* eslint-disable @typescript-eslint/no-explicit-any -- mirrors Electron's loosely typed events */
type Listener = (...args: any[]) => unknown;

export class RecordingWebContents {
  readonly listeners = new Map<string, Listener[]>();
  windowOpenHandler: ((details: { url: string }) => unknown) | null = null;

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
    this.windowOpenHandler = handler;
  }
}

export class BrowserWindow {
  static readonly created: BrowserWindow[] = [];
  readonly webContents = new RecordingWebContents();

  constructor(readonly options: BrowserWindowConstructorOptions) {
    BrowserWindow.created.push(this);
  }

  on(): this {
    return this;
  }

  once(): this {
    return this;
  }

  show(): void {}

  loadURL(): Promise<void> {
    return Promise.resolve();
  }
}

export class RecordingSession {
  requestHandler: Listener | null = null;
  checkHandler: Listener | null = null;

  setPermissionRequestHandler(handler: Listener): void {
    this.requestHandler = handler;
  }

  setPermissionCheckHandler(handler: Listener): void {
    this.checkHandler = handler;
  }
}

export const shell = {
  opened: [] as string[],
  openExternal(url: string): Promise<void> {
    shell.opened.push(url);
    return Promise.resolve();
  },
};
