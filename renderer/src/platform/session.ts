import Dexie, { type EntityTable } from 'dexie';
import { AgentSchema, type Agent } from '@parley/protocol';

/**
 * Who is signed in to which server on this device, so the inbox opens from the cache
 * before (or without) the network. Holds no secret: the tokens are in the keychain (desktop)
 * or HttpOnly cookies (browser), never in localStorage or IndexedDB.
 */
type SessionRow = { serverUrl: string; agent: Agent; signedInAt: number };

class SessionDb extends Dexie {
  sessions!: EntityTable<SessionRow, 'serverUrl'>;
  constructor() {
    super('parley-sessions');
    this.version(1).stores({ sessions: 'serverUrl' });
  }
}

const sessionDb = new SessionDb();

export async function loadSession(serverUrl: string): Promise<Agent | null> {
  const row = await sessionDb.sessions.get(serverUrl);
  const agent = AgentSchema.safeParse(row?.agent);
  return agent.success ? agent.data : null;
}

export async function saveSession(serverUrl: string, agent: Agent): Promise<void> {
  await sessionDb.sessions.put({ serverUrl, agent, signedInAt: Date.now() });
}

export async function clearSession(serverUrl: string): Promise<void> {
  await sessionDb.sessions.delete(serverUrl);
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
