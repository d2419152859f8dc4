/**
 * The preload: the only bridge between the sandboxed page and the main process. It exposes
 * one object, `window.parleyDesktop`, whose single method forwards the channels of
 * `desktopChannels` and refuses every other string, so a compromised page cannot reach
 * Electron's internal channels or any handler added later by mistake. Arguments are
 * validated again in the main process, which trusts nothing from here.
 *
 * Bundled by build.mjs into one CommonJS file: a sandboxed preload may `require` only
 * `electron` and a few builtins.
 */
import { contextBridge, ipcRenderer } from 'electron';
// Channel names come from a zod-free module: the bundle stays a few KiB instead of carrying zod.
import { DESKTOP_API_KEY, isDesktopChannel, type DesktopChannel } from '@parley/protocol/desktop-channels';
import type { DesktopApi, DesktopResults } from '@parley/protocol';

const api: DesktopApi = {
  invoke<C extends DesktopChannel>(channel: C, ...args: unknown[]): Promise<DesktopResults[C]> {
    // The type says C is a channel, but the page is untrusted JavaScript: check at run time.
    if (!isDesktopChannel(channel)) {
      return Promise.reject(new Error(`Unknown desktop channel: ${String(channel)}`));
    }
    // The main process answers with DesktopResults[C]; ipcRenderer only types it as any.
    return ipcRenderer.invoke(channel, ...args) as Promise<DesktopResults[C]>;
  },
};

contextBridge.exposeInMainWorld(DESKTOP_API_KEY, api);
