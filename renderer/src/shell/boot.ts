import type { Agent } from '@parley/protocol';
import { mark } from '../common/marks.js';
import { conversationIndex } from '../data/conversationIndex.js';
import { databaseName } from '../data/db.js';
import { openLocalDatabase, type OpenedDatabase } from '../data/open.js';
import { connectDesktop, type Desktop } from '../platform/desktop.js';
import { loadSession } from '../platform/session.js';

export type Started = { desktop: Desktop; agent: Agent | null };

let started: Promise<Started> | null = null;
/** Caches opened at start, waiting for the inbox to take them. */
const opened = new Map<string, Promise<OpenedDatabase>>();

/**
 * What the first rows wait for, started as soon as the code runs rather than after React's
 * first render: the desktop bridge, who is signed in on this device, their cache opened,
 * and the list's first page read. React renders meanwhile; IndexedDB works off the main
 * thread. Called again, it answers the same.
 */
export function startApp(): Promise<Started> {
  started ??= (async () => {
    const desktop = await connectDesktop();
    const agent = await loadSession(desktop.serverUrl);
    mark('session');
    if (agent !== null) {
      const name = databaseName(desktop.serverUrl, agent.id);
      const opening = openLocalDatabase(name);
      opened.set(name, opening);
      // The list's index of this cache starts reading its first page at once.
      opening.then(({ db }) => conversationIndex(db, agent.id)).catch(() => undefined);
    }
    return { desktop, agent };
  })();
  return started;
}

/**
 * The agent's cache: the one opened at start, the first time it is asked for; opened anew
 * after that (a sign-in, the inbox shown again).
 */
export function openDatabase(name: string): Promise<OpenedDatabase> {
  const early = opened.get(name);
  opened.delete(name);
  return early ?? openLocalDatabase(name);
}
