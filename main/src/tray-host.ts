/**
 * Whether this desktop shows tray icons at all. Closing the window to the tray is only kind
 * where the tray can be seen; elsewhere it would hide the app with no way back.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Whether the tray icon will be seen, so that closing the window never hides the app with
 * no way back. Windows and macOS always show it. On Linux, Chromium shows it through the
 * StatusNotifierItem protocol when a watcher owns its D-Bus name (KDE; GNOME with the
 * AppIndicator extension, as Ubuntu ships it), else through the older XEmbed tray, which
 * GNOME stopped showing in 3.26 while Xfce, MATE and Cinnamon still do.
 *
 * `watcher` is what D-Bus said, or null when it could not be asked: then plain GNOME
 * (`XDG_CURRENT_DESKTOP=GNOME`) is taken to have no tray, and a vendor's GNOME
 * (`ubuntu:GNOME`, `pop:GNOME`), which ships the extension, to have one.
 */
export function trayShown(input: { platform: string; desktop: string | undefined; watcher: boolean | null }): boolean {
  if (input.platform !== 'linux' || input.watcher === true) return true;
  const desktops = (input.desktop ?? '')
    .toLowerCase()
    .split(':')
    .filter((entry) => entry !== '');
  if (!desktops.includes('gnome')) return true;
  if (input.watcher === false) return false;
  return desktops.some((entry) => entry !== 'gnome' && entry !== 'gnome-classic');
}

/** The arguments that ask the session bus whether a StatusNotifierItem watcher runs. */
export const STATUS_NOTIFIER_QUERY = [
  'call',
  '--session',
  '--dest',
  'org.freedesktop.DBus',
  '--object-path',
  '/org/freedesktop/DBus',
  '--method',
  'org.freedesktop.DBus.NameHasOwner',
  'org.kde.StatusNotifierWatcher',
] as const;

/** gdbus's answer to that query, `(true,)` or `(false,)`; null for anything else. */
export function readNameHasOwner(output: string): boolean | null {
  const answer = /^\((true|false),\)$/.exec(output.trim());
  return answer === null ? null : answer[1] === 'true';
}

/** Asks the session bus through `gdbus` (GLib's, on every GNOME desktop); null when it cannot. */
export async function askStatusNotifierWatcher(
  run: (command: string, args: string[]) => Promise<string> = runForOutput,
): Promise<boolean | null> {
  try {
    return readNameHasOwner(await run('gdbus', [...STATUS_NOTIFIER_QUERY]));
  } catch {
    return null;
  }
}

const execFileAsync = promisify(execFile);

async function runForOutput(command: string, args: string[]): Promise<string> {
  return (await execFileAsync(command, args, { timeout: 2000 })).stdout;
}
