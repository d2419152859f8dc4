import type { Agent } from '@parley/protocol';
import { mark } from '../common/marks.js';
import { conversationIndex, type ConversationIndex } from '../data/conversationIndex.js';
import { databaseName, type ParleyDb } from '../data/db.js';
import { openLocalDatabase, type OpenedDatabase } from '../data/open.js';
import { connectDesktop, type Desktop } from '../platform/desktop.js';
import { loadSession } from '../platform/session.js';

export type Started = { desktop: Desktop; agent: Agent | null };

/**
 * How long the inbox's first render waits for the cache to open and the list's first page
 * (and its contacts) to be read, so that it renders once, with its rows, instead of an empty
 * frame and then the rows. A slower cache renders at this deadline and fills in as it reads.
 */
const FIRST_PAGE_WAIT_MS = 400;

let started: Promise<Started> | null = null;
/** What `startApp` resolved to, once it has. */
let startedValue: Started | null = null;
/** Caches opened at start, waiting for the inbox to take them. */
const opening = new Map<string, Promise<OpenedDatabase>>();
/** The same, once open: the inbox's first render takes it without waiting a turn. */
const opened = new Map<string, OpenedDatabase>();

/** Resolves once the index has read its first page (and the contacts of those rows). */
function firstPage(index: ConversationIndex): Promise<void> {
  return new Promise<void>((resolve) => {
    const ready = (): boolean => {
      if (index.version === 0) return false;
      unsubscribe();
      const contactIds = [...index.conversations.values()].map((conversation) => conversation.contactId);
      void index.wantContacts(contactIds).then(resolve, resolve);
      return true;
    };
    const unsubscribe = index.subscribe(() => void ready());
    ready();
  });
}

/**
 * What the first rows wait for, started as soon as the code runs rather than after React's
 * first render: the desktop bridge, who is signed in on this device (kept in localStorage,
 * read at once), their cache opened, and the list's first page read. React renders its
 * first frame meanwhile; IndexedDB works off the main thread. Called again, it answers the
 * same.
 */
export function startApp(): Promise<Started> {
  started ??= (async () => {
    const desktop = await connectDesktop();
    const agent = await loadSession(desktop.serverUrl);
    mark('session');
    if (agent === null) return { desktop, agent };
    const name = databaseName(desktop.serverUrl, agent.id);
    const open = openLocalDatabase(name);
    opening.set(name, open);
    const ready = open.then((result) => {
      mark('db-open');
      reloadOnVersionChange(result.db);
      if (opening.get(name) === open) opened.set(name, result);
      // The list's index of this cache starts reading its first page at once.
      return firstPage(conversationIndex(result.db, agent.id));
    });
    await Promise.race([ready.catch(() => undefined), delay(FIRST_PAGE_WAIT_MS)]);
    return { desktop, agent };
  })().then((value) => {
    startedValue = value;
    return value;
  });
  return started;
}

/** What `startApp` found, if it has finished: the app's first render starts from it. */
export function startedNow(): Started | null {
  return startedValue;
}

/**
 * Another window signed out (deleting this database) or rebuilt or upgraded it: what this
 * one holds is gone or stale, so it starts again from what is there now. Set as soon as the
 * cache is open: left to Dexie, the connection would close under a still-running inbox.
 */
export function reloadOnVersionChange(db: ParleyDb): void {
  db.on('versionchange', () => {
    db.close();
    window.location.reload();
    return false;
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The cache opened at start, if it is open by now: taken once, by the inbox's first render. */
export function takeOpenedDatabase(name: string): OpenedDatabase | null {
  const result = opened.get(name) ?? null;
  if (result !== null) {
    opened.delete(name);
    opening.delete(name);
  }
  return result;
}

/**
 * The agent's cache: the one opened at start, the first time it is asked for; opened anew
 * after that (a sign-in, the inbox shown again).
 */
export function openDatabase(name: string): Promise<OpenedDatabase> {
  const early = opening.get(name);
  opening.delete(name);
  opened.delete(name);
  return (
    early ??
    openLocalDatabase(name).then((result) => {
      reloadOnVersionChange(result.db);
      return result;
    })
  );
}
