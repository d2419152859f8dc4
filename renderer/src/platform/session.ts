import Dexie, { type EntityTable } from 'dexie';
import { AgentSchema, type Agent } from '@parley/protocol';

/**
 * Who is signed in to which server on this device, so the inbox opens from the cache
 * before (or without) the network. Holds no secret: the token is in the keychain (desktop)
 * or an HttpOnly cookie (browser).
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
