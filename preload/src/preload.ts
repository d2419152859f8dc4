/**
 * The preload: the only bridge between the sandboxed page and the main process. It exposes
 * one object, `window.parleyDesktop`: `invoke` forwards the channels of `desktopChannels`
 * and `on` listens to the events of `desktopEvents`, and both refuse every other string, so
 * a compromised page cannot reach Electron's internal channels or any handler added later
 * by mistake. Arguments are validated again in the main process, which trusts nothing from
 * here; the page receives only an event's payload, never Electron's event object (which
 * would hand it `sender`).
 *
 * Bundled by build.mjs into one CommonJS file: a sandboxed preload may `require` only
 * `electron` and a few builtins.
 */
import { contextBridge, ipcRenderer } from 'electron';
// Channel names come from a zod-free module: the bundle stays a few KiB instead of carrying zod.
import {
  DESKTOP_API_KEY,
  isDesktopChannel,
  isDesktopEvent,
  type DesktopChannel,
  type DesktopEvent,
} from '@parley/protocol/desktop-channels';
import type { DesktopApi, DesktopEventListener, DesktopEventPayload, DesktopResults } from '@parley/protocol';

const api: DesktopApi = {
  invoke<C extends DesktopChannel>(channel: C, ...args: unknown[]): Promise<DesktopResults[C]> {
    // The type says C is a channel, but the page is untrusted JavaScript: check at run time.
    if (!isDesktopChannel(channel)) {
      return Promise.reject(new Error(`Unknown desktop channel: ${String(channel)}`));
    }
    // The main process answers with DesktopResults[C]; ipcRenderer only types it as any.
    return ipcRenderer.invoke(channel, ...args) as Promise<DesktopResults[C]>;
  },
  on<E extends DesktopEvent>(event: E, listener: DesktopEventListener<E>): () => void {
    if (!isDesktopEvent(event)) throw new Error(`Unknown desktop event: ${String(event)}`);
    if (typeof listener !== 'function') throw new Error('A desktop event listener must be a function');
    // The main process sends DesktopEventPayload<E>; the page parses it again before use.
    const forward = (_event: unknown, payload: unknown): void => listener(payload as DesktopEventPayload<E>);
    ipcRenderer.on(event, forward);
    return () => {
      ipcRenderer.removeListener(event, forward);
    };
  },
};

contextBridge.exposeInMainWorld(DESKTOP_API_KEY, api);
