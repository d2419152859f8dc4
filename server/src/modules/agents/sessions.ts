import { createHash, randomBytes } from 'node:crypto';
import type { Store, Trx } from '../../platform/store.js';

/**
 * A session is one sign-in on one device. It holds two tokens, both stored only as hashes:
 * - the access token (`token_hash`, `expires_at`): short-lived, proves who asks;
 * - the refresh token (`refresh_hash`, `refresh_expires_at`): gets the next pair. Each
 *   refresh replaces both, and the session's lifetime starts again.
 * A refresh token is `<family>.<secret>`, stored as `<family>.<sha256(token)>`: the family
 * names the session for good, so an old refresh token presented again (a copy someone
 * took) is recognised as that session's, and the session is revoked: theft detection.
 * Revoked sessions stay (revoked_at) until they would have expired, so a replay is refused
 * for the right reason; sockets find their session by the same family (`SessionKey`).
 */

/** Which session a socket belongs to: the refresh family, or `access:<hash>` for a session that has none. */
export type SessionKey = string;

export type SessionTimes = { accessMs: number; refreshMs: number };

export type IssuedSession = {
  token: string;
  refreshToken: string;
  accessExpiresAt: number;
  key: SessionKey;
};

/** Only a hash of a token is stored, so a copy of the database opens no session. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

const FAMILY = /^[A-Za-z0-9_-]{16,64}$/;

/** The family and the stored hash of a refresh token; null when it is not one. */
function parseRefresh(token: string): { family: string; stored: string } | null {
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const family = token.slice(0, dot);
  if (!FAMILY.test(family) || token.length - dot < 20) return null;
  return { family, stored: `${family}.${tokenHash(token)}` };
}

function familyOf(refreshHash: string): string {
  return refreshHash.slice(0, refreshHash.indexOf('.'));
}

/** Rows whose refresh hash starts with `<family>.` (a range, so the unique index serves it). */
function inFamily(family: string): { from: string; to: string } {
  return { from: `${family}.`, to: `${family}/` };
}

type SessionRow = {
  token_hash: string;
  agent_id: string;
  expires_at: number;
  refresh_hash: string | null;
  refresh_expires_at: number | null;
  revoked_at: number | null;
};

export function keyOf(row: Pick<SessionRow, 'token_hash' | 'refresh_hash'>): SessionKey {
  return row.refresh_hash === null ? `access:${row.token_hash}` : familyOf(row.refresh_hash);
}

/** Opens a session for an agent whose password (or invite) was just checked. */
export async function openSession(
  db: Store['db'] | Trx,
  agentId: string,
  times: SessionTimes,
  client: string | null,
  now = Date.now(),
): Promise<IssuedSession> {
  const family = newSecret(16);
  const token = newSecret();
  const refreshToken = `${family}.${newSecret()}`;
  const accessExpiresAt = now + times.accessMs;
  await db
    .insertInto('sessions')
    .values({
      token_hash: tokenHash(token),
      agent_id: agentId,
      created_at: now,
      expires_at: accessExpiresAt,
      refresh_hash: `${family}.${tokenHash(refreshToken)}`,
      refresh_expires_at: now + times.refreshMs,
      revoked_at: null,
      last_used_at: now,
      client,
    })
    .execute();
  return { token, refreshToken, accessExpiresAt, key: family };
}

export type RefreshOutcome =
  | { ok: true; session: IssuedSession; agentId: string }
  /** `reused`: an old refresh token came back, and its session was revoked. */
  | { ok: false; reused: boolean; key: SessionKey | null };

/** Swaps a refresh token for a new pair; an old one presented again revokes its session. */
export async function refreshSession(
  store: Store,
  refreshToken: string,
  times: SessionTimes,
  now = Date.now(),
): Promise<RefreshOutcome> {
  const parsed = parseRefresh(refreshToken);
  if (parsed === null) return { ok: false, reused: false, key: null };
  return store.write(async (trx): Promise<RefreshOutcome> => {
    const current = await trx
      .selectFrom('sessions')
      .innerJoin('agents', 'agents.id', 'sessions.agent_id')
      .select(['sessions.token_hash', 'sessions.agent_id', 'sessions.refresh_expires_at', 'sessions.revoked_at'])
      .select('agents.active')
      .where('sessions.refresh_hash', '=', parsed.stored)
      .executeTakeFirst();
    if (current !== undefined) {
      const usable =
        current.revoked_at === null && Number(current.refresh_expires_at ?? 0) > now && Number(current.active) === 1;
      if (!usable) return { ok: false, reused: false, key: parsed.family };
      const token = newSecret();
      const nextRefresh = `${parsed.family}.${newSecret()}`;
      const accessExpiresAt = now + times.accessMs;
      await trx
        .updateTable('sessions')
        .set({
          token_hash: tokenHash(token),
          expires_at: accessExpiresAt,
          refresh_hash: `${parsed.family}.${tokenHash(nextRefresh)}`,
          refresh_expires_at: now + times.refreshMs,
          last_used_at: now,
        })
        .where('token_hash', '=', current.token_hash)
        .execute();
      return {
        ok: true,
        agentId: current.agent_id,
        session: { token, refreshToken: nextRefresh, accessExpiresAt, key: parsed.family },
      };
    }
    const range = inFamily(parsed.family);
    const replaced = await trx
      .selectFrom('sessions')
      .select(['token_hash', 'revoked_at'])
      .where('refresh_hash', '>=', range.from)
      .where('refresh_hash', '<', range.to)
      .executeTakeFirst();
    if (replaced === undefined) return { ok: false, reused: false, key: null };
    if (replaced.revoked_at === null) {
      await trx
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('token_hash', '=', replaced.token_hash)
        .execute();
    }
    return { ok: false, reused: true, key: parsed.family };
  });
}

/** The agent of a valid access token: not expired, not revoked, its user active. */
export async function agentIdForAccess(
  db: Store['db'],
  token: string,
  now = Date.now(),
): Promise<{ agentId: string; key: SessionKey } | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('agents', 'agents.id', 'sessions.agent_id')
    .select(['sessions.token_hash', 'sessions.agent_id', 'sessions.refresh_hash', 'sessions.refresh_expires_at'])
    .where('sessions.token_hash', '=', tokenHash(token))
    .where('sessions.expires_at', '>', now)
    .where('sessions.revoked_at', 'is', null)
    .where('agents.active', '=', 1)
    .executeTakeFirst();
  if (row === undefined) return null;
  if (row.refresh_expires_at !== null && Number(row.refresh_expires_at) <= now) return null;
  return { agentId: row.agent_id, key: keyOf(row) };
}

/**
 * Why an access token no longer opens a session: its user was deactivated (the app then
 * forgets what it cached: that person may no longer read it), or the session ended.
 */
export async function endedReason(db: Store['db'], token: string): Promise<'account_deactivated' | 'session_ended'> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('agents', 'agents.id', 'sessions.agent_id')
    .select('agents.active')
    .where('sessions.token_hash', '=', tokenHash(token))
    .executeTakeFirst();
  return row !== undefined && Number(row.active) !== 1 ? 'account_deactivated' : 'session_ended';
}

/** A socket's session: its key and its user. */
export type SessionRef = { key: SessionKey; agentId: string };

/**
 * Whether these sessions may keep their sockets: not revoked, not deleted, the sign-in not
 * expired, the user still active. One query per 500 users (the sweep checks every socket
 * each second). Answers the keys still alive.
 */
export async function aliveSessions(
  db: Store['db'],
  sessions: Iterable<SessionRef>,
  now = Date.now(),
): Promise<Set<SessionKey>> {
  const wanted = new Set<SessionKey>();
  const agentIds = new Set<string>();
  for (const session of sessions) {
    wanted.add(session.key);
    agentIds.add(session.agentId);
  }
  const alive = new Set<SessionKey>();
  const ids = [...agentIds];
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await db
      .selectFrom('sessions')
      .innerJoin('agents', 'agents.id', 'sessions.agent_id')
      .select(['sessions.token_hash', 'sessions.refresh_hash', 'sessions.expires_at', 'sessions.refresh_expires_at'])
      .where('sessions.agent_id', 'in', ids.slice(start, start + 500))
      .where('sessions.revoked_at', 'is', null)
      .where('agents.active', '=', 1)
      .execute();
    for (const row of rows) {
      if (Number(row.refresh_expires_at ?? row.expires_at) <= now) continue;
      const key = keyOf(row);
      if (wanted.has(key)) alive.add(key);
    }
  }
  return alive;
}

/** Revokes the row's session (unless it is already); answers its key. */
async function revokeRow(
  db: Store['db'],
  row: Pick<SessionRow, 'token_hash' | 'refresh_hash'>,
  now: number,
): Promise<SessionKey> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('token_hash', '=', row.token_hash)
    .where('revoked_at', 'is', null)
    .execute();
  return keyOf(row);
}

/** Revokes the session of an access token; answers its key (null when there was none). */
export async function revokeByAccess(db: Store['db'], token: string, now = Date.now()): Promise<SessionKey | null> {
  const row = await db
    .selectFrom('sessions')
    .select(['token_hash', 'refresh_hash'])
    .where('token_hash', '=', tokenHash(token))
    .executeTakeFirst();
  if (row === undefined) return null;
  return revokeRow(db, row, now);
}

/** Revokes the session of a refresh token (current or replaced); answers its key. */
export async function revokeByRefresh(
  db: Store['db'],
  refreshToken: string,
  now = Date.now(),
): Promise<SessionKey | null> {
  const parsed = parseRefresh(refreshToken);
  if (parsed === null) return null;
  const row = await db
    .selectFrom('sessions')
    .select(['token_hash', 'refresh_hash'])
    .where('refresh_hash', '=', parsed.stored)
    .executeTakeFirst();
  if (row === undefined) return null;
  return revokeRow(db, row, now);
}

/** Revokes every session of an agent (deactivation). */
export async function revokeAgentSessions(db: Store['db'] | Trx, agentId: string, now = Date.now()): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('agent_id', '=', agentId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Forgets sessions that ended a day ago or more (a replayed token of theirs is refused as unknown). */
export async function pruneSessions(db: Store['db'], now = Date.now()): Promise<void> {
  const before = now - 24 * 60 * 60 * 1000;
  await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb.and([eb('refresh_expires_at', 'is not', null), eb('refresh_expires_at', '<', before)]),
        eb.and([eb('refresh_expires_at', 'is', null), eb('expires_at', '<', before)]),
      ]),
    )
    .execute();
}
