import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../../platform/ids.js';
import type { Agent, AgentRole } from '@parley/protocol';
import { agentFromRow } from '../../platform/rows.js';
import type { Selectable } from 'kysely';
import type { Database } from '../../platform/schema.js';
import type { Store, Trx } from '../../platform/store.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { joinDefaultTeam } from '../teams/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Only a hash of a session token is stored, so a copy of the database opens no session. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The agent as clients see it: its row and its teams. */
export async function agentWithTeams(db: Store['db'] | Trx, row: Selectable<Database['agents']>): Promise<Agent> {
  const teams = await db.selectFrom('team_members').select('team_id').where('agent_id', '=', row.id).execute();
  return agentFromRow(
    row,
    teams.map((team) => team.team_id),
  );
}

export class Agents {
  constructor(
    private readonly store: Store,
    private readonly sessionDays: number,
  ) {}

  async createAgent(input: { email: string; name: string; role: AgentRole; password: string }): Promise<Agent> {
    const passwordHash = await hashPassword(input.password);
    const id = newId();
    await this.store.write(async (trx, changes) => {
      await trx
        .insertInto('agents')
        .values({
          id,
          email: input.email.trim().toLowerCase(),
          name: input.name,
          role: input.role,
          presence: 'offline',
          password_hash: passwordHash,
          created_at: Date.now(),
          seq: await changes.nextSeq('agent', id),
        })
        .execute();
      await joinDefaultTeam(trx, changes, id);
    });
    return this.agentById(id).then((agent) => {
      if (agent === null) throw new Error(`Agent ${id} vanished after it was created.`);
      return agent;
    });
  }

  async agentById(id: string): Promise<Agent | null> {
    const row = await this.store.db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : agentWithTeams(this.store.db, row);
  }

  async hasAgent(email: string): Promise<boolean> {
    const row = await this.store.db
      .selectFrom('agents')
      .select('id')
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Checks the password and opens a session; null when either is wrong (never says which). */
  async login(email: string, password: string): Promise<{ token: string; agent: Agent } | null> {
    const row = await this.store.db
      .selectFrom('agents')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    if (row === undefined || !(await verifyPassword(password, row.password_hash))) return null;
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    await this.store.db
      .insertInto('sessions')
      .values({
        token_hash: tokenHash(token),
        agent_id: row.id,
        created_at: now,
        expires_at: now + this.sessionDays * DAY_MS,
      })
      .execute();
    return { token, agent: await agentWithTeams(this.store.db, row) };
  }

  async agentForToken(token: string): Promise<Agent | null> {
    const row = await this.store.db
      .selectFrom('sessions')
      .innerJoin('agents', 'agents.id', 'sessions.agent_id')
      .selectAll('agents')
      .where('sessions.token_hash', '=', tokenHash(token))
      .where('sessions.expires_at', '>', Date.now())
      .executeTakeFirst();
    return row === undefined ? null : agentWithTeams(this.store.db, row);
  }

  async logout(token: string): Promise<void> {
    await this.store.db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
  }
}
