import Dexie from 'dexie';
import { AgentSchema, type Agent } from '@parley/protocol';

/**
 * Who is signed in to which server on this device, so the inbox opens from the cache
 * before (or without) the network. Kept in localStorage, which is read at once: the cache
 * can start opening before the app's first render instead of after another database open.
 * Holds no secret: the tokens are in the keychain (desktop) or HttpOnly cookies (browser),
 * never in localStorage or IndexedDB.
 */
const KEY_PREFIX = 'parley:session:';

/** Where the app kept sessions before: moved here once, then deleted. */
type SessionRow = { serverUrl: string; agent: Agent; signedInAt: number };
const LEGACY_DB = 'parley-sessions';
/** Set once the old database was moved (or found absent): it is never opened again. */
const MOVED_KEY = 'parley:session:moved';

function readStored(serverUrl: string): Agent | null | undefined {
  try {
    const raw = window.localStorage.getItem(KEY_PREFIX + serverUrl);
    if (raw === null) return undefined;
    const agent = AgentSchema.safeParse((JSON.parse(raw) as { agent?: unknown }).agent);
    return agent.success ? agent.data : null;
  } catch {
    return undefined;
  }
}

function writeStored(serverUrl: string, agent: Agent): void {
  try {
    window.localStorage.setItem(KEY_PREFIX + serverUrl, JSON.stringify({ agent, signedInAt: Date.now() }));
  } catch {
    // Storage full or disabled: this session still works; the next start asks to sign in.
  }
}

function movedAlready(): boolean {
  try {
    return window.localStorage.getItem(MOVED_KEY) !== null;
  } catch {
    return true;
  }
}

/**
 * Moves every session an earlier version kept in IndexedDB into localStorage and deletes
 * that database, once per device: an update signs nobody out, and no later start opens it.
 */
async function moveLegacySessions(): Promise<void> {
  if (movedAlready()) return;
  try {
    if ((await Dexie.exists(LEGACY_DB)) === true) {
      const legacy = new Dexie(LEGACY_DB);
      legacy.version(1).stores({ sessions: 'serverUrl' });
      const rows = (await legacy.table('sessions').toArray()) as SessionRow[];
      for (const row of rows) {
        const agent = AgentSchema.safeParse(row.agent);
        if (agent.success && readStored(row.serverUrl) === undefined) writeStored(row.serverUrl, agent.data);
      }
      legacy.close();
      await Dexie.delete(LEGACY_DB);
    }
    window.localStorage.setItem(MOVED_KEY, '1');
  } catch {
    // Tried again at the next start.
  }
}

export async function loadSession(serverUrl: string): Promise<Agent | null> {
  await moveLegacySessions();
  return readStored(serverUrl) ?? null;
}

export function saveSession(serverUrl: string, agent: Agent): Promise<void> {
  writeStored(serverUrl, agent);
  return Promise.resolve();
}

export function clearSession(serverUrl: string): Promise<void> {
  try {
    window.localStorage.removeItem(KEY_PREFIX + serverUrl);
  } catch {
    // Nothing to remove.
  }
  return Promise.resolve();
}

/**
 * The desktop app keeps one string per server in the keychain: both tokens of a sign-in, as
 * JSON. A plain string (an app from before refresh tokens) is an access token alone.
 */
export type StoredTokens = { access: string; refresh: string | null };

export function packTokens(tokens: StoredTokens): string {
  return JSON.stringify({ a: tokens.access, r: tokens.refresh });
}

export function unpackTokens(stored: string | null): StoredTokens | null {
  if (stored === null || stored === '') return null;
  if (!stored.startsWith('{')) return { access: stored, refresh: null };
  try {
    const value: unknown = JSON.parse(stored);
    if (typeof value !== 'object' || value === null) return null;
    const { a, r } = value as Record<string, unknown>;
    if (typeof a !== 'string' || a === '') return null;
    return { access: a, refresh: typeof r === 'string' && r !== '' ? r : null };
  } catch {
    return null;
  }
}
