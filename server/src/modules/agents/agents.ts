import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newId } from '../../platform/ids.js';
import {
  refusal,
  PASSWORD_MIN_LENGTH,
  type Agent,
  type AgentRole,
  type Failure,
  type User,
  type Invite,
} from '@parley/protocol';
import { agentFromRow } from '../../platform/rows.js';
import type { Selectable } from 'kysely';
import type { Database } from '../../platform/schema.js';
import type { Store, Trx } from '../../platform/store.js';
import { hashPassword, verifyPasswordOrDummy } from './passwords.js';
import { joinDefaultTeam } from '../teams/index.js';
import { scopesChanged, snapshotScopes } from '../access/index.js';
import { ACCOUNT_POLICY, ADDRESS_POLICY, accountKey, addressKey, admitAttempt, clearAttempt } from './throttle.js';
import {
  agentIdForAccess,
  aliveSessions,
  endedReason,
  openSession,
  pruneSessions,
  refreshSession,
  revokeAgentSessions,
  revokeByAccess,
  revokeByRefresh,
  type IssuedSession,
  type SessionKey,
  type SessionRef,
  type SessionTimes,
} from './sessions.js';

export { tokenHash } from './sessions.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
/** How long an invite link lets its person choose a password. */
export const INVITE_DAYS = 7;
const INVITE_PREFIX = 'invite$';

type AgentRow = Selectable<Database['agents']>;

/** The agent as clients see it: its row and its teams. */
export async function agentWithTeams(db: Store['db'] | Trx, row: AgentRow): Promise<Agent> {
  const teams = await db.selectFrom('team_members').select('team_id').where('agent_id', '=', row.id).execute();
  return agentFromRow(
    row,
    teams.map((team) => team.team_id),
  );
}

async function userWithTeams(db: Store['db'] | Trx, row: AgentRow): Promise<User> {
  return {
    ...(await agentWithTeams(db, row)),
    createdAt: Number(row.created_at),
    deactivatedAt: row.deactivated_at === null ? null : Number(row.deactivated_at),
  };
}

/** A sign-in that worked: the tokens and who signed in. */
export type SignedIn = { ok: true; session: IssuedSession; agent: Agent };

export type UserPatch = { name?: string; role?: AgentRole; capacity?: number; active?: boolean };

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class Agents {
  private readonly times: SessionTimes;
  private readonly endedListeners = new Set<(agentId: string) => void>();

  constructor(
    private readonly store: Store,
    sessionDays: number,
    accessTokenMinutes = 15,
  ) {
    this.times = { accessMs: accessTokenMinutes * MINUTE_MS, refreshMs: sessionDays * DAY_MS };
  }

  /** Called after a user's access changed for good (deactivated, role changed): their sockets end. */
  onAccessEnded(listener: (agentId: string) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  async createAgent(input: {
    email: string;
    name: string;
    role: AgentRole;
    password: string;
    capacity?: number;
  }): Promise<Agent> {
    const id = await this.insertAgent({ ...input, passwordHash: await hashPassword(input.password) });
    return this.agentById(id).then((agent) => {
      if (agent === null) throw new Error(`Agent ${id} vanished after it was created.`);
      return agent;
    });
  }

  private async insertAgent(input: {
    email: string;
    name: string;
    role: AgentRole;
    passwordHash: string;
    capacity?: number;
    id?: string;
  }): Promise<string> {
    const id = input.id ?? newId();
    await this.store.write(async (trx, changes) => {
      await trx
        .insertInto('agents')
        .values({
          id,
          email: input.email.trim().toLowerCase(),
          name: input.name,
          role: input.role,
          presence: 'offline',
          password_hash: input.passwordHash,
          created_at: Date.now(),
          seq: await changes.nextSeq('agent', id),
          ...(input.capacity === undefined ? {} : { capacity: input.capacity }),
        })
        .execute();
      await joinDefaultTeam(trx, changes, id);
    });
    return id;
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

  /**
   * Checks the password and opens a session. Throttled per account and per address; the
   * same scrypt work is done whether or not the email exists; a deactivated user is told so
   * only after a correct password. Refusals never say which of email and password was wrong.
   */
  async signIn(
    email: string,
    password: string,
    address: string,
    client: string | null = null,
  ): Promise<SignedIn | Failure> {
    const account = accountKey(email);
    const from = addressKey(address);
    const wait = await admitAttempt(this.store, [
      { key: account, policy: ACCOUNT_POLICY },
      { key: from, policy: ADDRESS_POLICY },
    ]);
    if (wait > 0) return refusal('unauthorized', 'login_throttled', { retryAfterSeconds: wait });
    const row = await this.store.db
      .selectFrom('agents')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .where('kind', '=', 'person')
      .executeTakeFirst();
    const correct = await verifyPasswordOrDummy(password, row?.password_hash);
    if (row === undefined || !correct) return refusal('unauthorized', 'bad_credentials');
    await clearAttempt(this.store, account, from);
    if (Number(row.active) !== 1) return refusal('unauthorized', 'account_deactivated');
    await pruneSessions(this.store.db);
    const session = await openSession(this.store.db, row.id, this.times, client);
    return { ok: true, session, agent: await agentWithTeams(this.store.db, row) };
  }

  /** Signs in from inside the process (tests, benchmarks): the tokens and agent, or null. */
  async login(email: string, password: string): Promise<{ token: string; refreshToken: string; agent: Agent } | null> {
    const result = await this.signIn(email, password, 'local');
    return result.ok
      ? { token: result.session.token, refreshToken: result.session.refreshToken, agent: result.agent }
      : null;
  }

  /** The next pair of tokens; a replaced refresh token revokes its session (its key is answered to end its sockets). */
  async refresh(refreshToken: string): Promise<SignedIn | (Failure & { endedKey: SessionKey | null })> {
    const outcome = await refreshSession(this.store, refreshToken, this.times);
    if (!outcome.ok) {
      return { ...refusal('unauthorized', 'refresh_invalid'), endedKey: outcome.reused ? outcome.key : null };
    }
    const agent = await this.agentById(outcome.agentId);
    if (agent === null) return { ...refusal('unauthorized', 'refresh_invalid'), endedKey: outcome.session.key };
    return { ok: true, session: outcome.session, agent };
  }

  /** The agent of a valid access token (not expired, not revoked, user active), else null. */
  /** Why a token that opens no session stopped opening one. */
  endedReason(token: string): Promise<'account_deactivated' | 'session_ended'> {
    return endedReason(this.store.db, token);
  }

  async agentForToken(token: string): Promise<Agent | null> {
    const session = await agentIdForAccess(this.store.db, token);
    return session === null ? null : this.agentById(session.agentId);
  }

  /** The agent and session key of a valid access token, for sockets. */
  sessionForToken(token: string): Promise<{ agentId: string; key: SessionKey } | null> {
    return agentIdForAccess(this.store.db, token);
  }

  /** Which of these sessions may keep their sockets. */
  aliveSessions(sessions: Iterable<SessionRef>): Promise<Set<SessionKey>> {
    return aliveSessions(this.store.db, sessions);
  }

  /** Revokes the session of either token; answers the keys of the sessions ended. */
  async logout(tokens: { access?: string; refresh?: string }): Promise<SessionKey[]> {
    const keys: SessionKey[] = [];
    if (tokens.access !== undefined) {
      const key = await revokeByAccess(this.store.db, tokens.access);
      if (key !== null) keys.push(key);
    }
    if (tokens.refresh !== undefined) {
      const key = await revokeByRefresh(this.store.db, tokens.refresh);
      if (key !== null && !keys.includes(key)) keys.push(key);
    }
    return keys;
  }

  // ---------------------------------------------------------------------------------
  // Users (admins write, supervisors read; the routes check the caller's role)

  async listUsers(): Promise<User[]> {
    const rows = await this.store.db
      .selectFrom('agents')
      .selectAll()
      .where('kind', '=', 'person')
      .orderBy('name')
      .orderBy('id')
      .execute();
    return Promise.all(rows.map((row) => userWithTeams(this.store.db, row)));
  }

  async userById(id: string): Promise<User | null> {
    const row = await this.store.db
      .selectFrom('agents')
      .selectAll()
      .where('id', '=', id)
      .where('kind', '=', 'person')
      .executeTakeFirst();
    return row === undefined ? null : userWithTeams(this.store.db, row);
  }

  /**
   * Creates a user with no usable password and a one-time invite: `<id>.<secret>`, valid
   * INVITE_DAYS; only its hash is kept (in place of the password hash until it is used).
   */
  async inviteUser(input: {
    email: string;
    name: string;
    role: AgentRole;
    capacity?: number;
  }): Promise<{ ok: true; user: User; invite: Invite } | Failure> {
    if (await this.hasAgent(input.email)) return refusal('conflict', 'email_taken');
    const id = newId();
    const token = `${id}.${randomBytes(32).toString('base64url')}`;
    const expiresAt = Date.now() + INVITE_DAYS * DAY_MS;
    try {
      await this.insertAgent({ ...input, id, passwordHash: `${INVITE_PREFIX}${sha256(token)}$${expiresAt}` });
    } catch (error) {
      // Two invites for one email at once: the unique index decides.
      if (await this.hasAgent(input.email)) return refusal('conflict', 'email_taken');
      throw error;
    }
    const user = await this.userById(id);
    if (user === null) throw new Error(`User ${id} vanished after it was created.`);
    return { ok: true, user, invite: { token, expiresAt } };
  }

  /** Sets the password an invite's person chose, and signs them in. */
  async acceptInvite(token: string, password: string, client: string | null = null): Promise<SignedIn | Failure> {
    if (password.length < PASSWORD_MIN_LENGTH) {
      return refusal('bad_request', 'password_weak', { min: PASSWORD_MIN_LENGTH });
    }
    const id = token.slice(0, Math.max(0, token.lastIndexOf('.')));
    const row =
      id === ''
        ? undefined
        : await this.store.db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    const [, storedHash, expiresAt] =
      row?.password_hash.startsWith(INVITE_PREFIX) === true ? row.password_hash.split('$') : [];
    if (
      row === undefined ||
      storedHash === undefined ||
      !sameText(storedHash, sha256(token)) ||
      Number(expiresAt) <= Date.now()
    ) {
      return refusal('unauthorized', 'refresh_invalid');
    }
    if (Number(row.active) !== 1) return refusal('unauthorized', 'account_deactivated');
    const passwordHash = await hashPassword(password);
    // Only the invite's own hash is replaced: a second use of the same link finds none.
    const updated = await this.store.db
      .updateTable('agents')
      .set({ password_hash: passwordHash })
      .where('id', '=', row.id)
      .where('password_hash', '=', row.password_hash)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return refusal('unauthorized', 'refresh_invalid');
    const session = await openSession(this.store.db, row.id, this.times, client);
    const agent = await this.agentById(row.id);
    if (agent === null) return refusal('unauthorized', 'agent_missing');
    return { ok: true, session, agent };
  }

  /**
   * Changes a user's name, role, capacity or whether they are active. An admin may not
   * demote or deactivate themselves, nor leave the workspace with no active admin.
   * Deactivating revokes every session; a role or activity change ends the user's sockets
   * (they reconnect, or not, under the new rules).
   */
  async updateUser(actorId: string, id: string, patch: UserPatch): Promise<{ ok: true; user: User } | Failure> {
    const outcome = await this.store.write(async (trx, changes): Promise<Failure | { ended: boolean }> => {
      const row = await trx
        .selectFrom('agents')
        .selectAll()
        .where('id', '=', id)
        .where('kind', '=', 'person')
        .executeTakeFirst();
      if (row === undefined) return refusal('not_found', 'user_missing');
      const wasAdmin = row.role === 'admin' && Number(row.active) === 1;
      const roleChanges = patch.role !== undefined && patch.role !== row.role;
      const activeChanges = patch.active !== undefined && patch.active !== (Number(row.active) === 1);
      const staysAdmin = (patch.role ?? row.role) === 'admin' && (patch.active ?? Number(row.active) === 1);
      if (id === actorId && (roleChanges || activeChanges)) return refusal('forbidden', 'own_account');
      if (wasAdmin && !staysAdmin) {
        const others = await trx
          .selectFrom('agents')
          .select('id')
          .where('role', '=', 'admin')
          .where('active', '=', 1)
          .where('kind', '=', 'person')
          .where('id', '!=', id)
          .executeTakeFirst();
        if (others === undefined) return refusal('conflict', 'last_admin');
      }
      const nameChanges = patch.name !== undefined && patch.name !== row.name;
      const capacityChanges = patch.capacity !== undefined && patch.capacity !== Number(row.capacity);
      if (!roleChanges && !activeChanges && !nameChanges && !capacityChanges) return { ended: false };
      const scopes = roleChanges || activeChanges ? await snapshotScopes(trx, [id]) : null;
      const now = Date.now();
      await trx
        .updateTable('agents')
        .set({
          name: patch.name ?? row.name,
          role: patch.role ?? row.role,
          capacity: patch.capacity ?? Number(row.capacity),
          ...(activeChanges
            ? { active: patch.active === true ? 1 : 0, deactivated_at: patch.active === true ? null : now }
            : {}),
          seq: await changes.nextSeq('agent', id),
        })
        .where('id', '=', id)
        .execute();
      if (activeChanges && patch.active === false) await revokeAgentSessions(trx, id, now);
      if (scopes !== null) await scopesChanged(trx, changes, scopes);
      return { ended: roleChanges || activeChanges };
    });
    if ('ok' in outcome) return outcome;
    if (outcome.ended) for (const listener of this.endedListeners) listener(id);
    const user = await this.userById(id);
    if (user === null) return refusal('not_found', 'user_missing');
    return { ok: true, user };
  }
}
