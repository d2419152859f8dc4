import { createHash, randomBytes } from 'node:crypto';
import { AgentRoleSchema, type AgentRole } from '@parley/protocol';
import { newId } from '../../platform/ids.js';
import type { Store } from '../../platform/store.js';
import { scopesChanged, snapshotScopes } from '../access/index.js';

/**
 * API tokens other systems (a CRM, a bot) use; only a hash is stored, like sessions.
 *
 * Each token acts as its own integration agent (`agents.kind = 'integration'`) with the role
 * the admin chose, so the API's callers go through the same visibility rule and the same
 * mutation path as people. An integration joins no team: as an admin it sees everything;
 * as an agent or a supervisor it sees nothing until an admin adds it to a team
 * (PUT /api/v1/teams/:id/members). It can never sign in (its password hash matches no
 * password) and is never offered as an assignee (only people are).
 */
export const API_TOKEN_PREFIX = 'pk_';

/** Where integration agents' addresses live: a reserved domain that can never receive mail. */
const INTEGRATION_EMAIL_DOMAIN = 'integrations.invalid';

/** Not a scrypt hash, so no password ever matches it. */
const UNUSABLE_PASSWORD_HASH = 'integration$no-password';

const LAST_USED_PRECISION_MS = 60_000;

export function apiTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** An API token as admins see it: never its secret. */
export type ApiToken = {
  id: string;
  name: string;
  role: AgentRole;
  /** The integration agent the token acts as (authors its messages, owns its assignments). */
  agentId: string;
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
};

/** The integration agent an API token acts as; null when unknown, revoked or deactivated. */
export async function agentForApiToken(store: Store, token: string): Promise<string | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;
  const row = await store.db
    .selectFrom('api_tokens')
    .innerJoin('agents', 'agents.id', 'api_tokens.agent_id')
    .select(['api_tokens.id', 'api_tokens.agent_id'])
    .where('api_tokens.token_hash', '=', apiTokenHash(token))
    .where('api_tokens.revoked_at', 'is', null)
    .where('agents.active', '=', 1)
    .executeTakeFirst();
  if (row === undefined) return null;
  // When it was last used, to the minute: a busy integration does not write on every request.
  const now = Date.now();
  await store.db
    .updateTable('api_tokens')
    .set({ last_used_at: now })
    .where('id', '=', row.id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', now - LAST_USED_PRECISION_MS)]))
    .execute();
  return row.agent_id;
}

/** Makes the integration agent and its token; the secret is returned here and never again. */
export async function createApiToken(
  store: Store,
  input: { name: string; role: AgentRole; createdBy: string },
): Promise<{ token: ApiToken; secret: string }> {
  const tokenId = newId();
  const agentId = newId();
  const secret = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const now = Date.now();
  await store.write(async (trx, changes) => {
    await trx
      .insertInto('agents')
      .values({
        id: agentId,
        email: `token-${tokenId}@${INTEGRATION_EMAIL_DOMAIN}`,
        name: input.name,
        role: input.role,
        kind: 'integration',
        presence: 'offline',
        password_hash: UNUSABLE_PASSWORD_HASH,
        created_at: now,
        seq: await changes.nextSeq('agent', agentId),
      })
      .execute();
    await trx
      .insertInto('api_tokens')
      .values({
        id: tokenId,
        agent_id: agentId,
        name: input.name,
        token_hash: apiTokenHash(secret),
        created_by: input.createdBy,
        created_at: now,
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
  });
  const token = await apiTokenById(store, tokenId);
  if (token === null) throw new Error(`API token ${tokenId} vanished after it was created.`);
  return { token, secret };
}

function query(store: Store) {
  return store.db
    .selectFrom('api_tokens')
    .innerJoin('agents', 'agents.id', 'api_tokens.agent_id')
    .select([
      'api_tokens.id',
      'api_tokens.name',
      'api_tokens.agent_id',
      'api_tokens.created_by',
      'api_tokens.created_at',
      'api_tokens.last_used_at',
      'api_tokens.revoked_at',
      'agents.role',
    ]);
}

type TokenRow = Awaited<ReturnType<ReturnType<typeof query>['executeTakeFirstOrThrow']>>;

function tokenFromRow(row: TokenRow): ApiToken {
  const nullable = (value: number | null): number | null => (value === null ? null : Number(value));
  return {
    id: row.id,
    name: row.name,
    role: AgentRoleSchema.parse(row.role),
    agentId: row.agent_id,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    lastUsedAt: nullable(row.last_used_at),
    revokedAt: nullable(row.revoked_at),
  };
}

export async function apiTokenById(store: Store, id: string): Promise<ApiToken | null> {
  const row = await query(store).where('api_tokens.id', '=', id).executeTakeFirst();
  return row === undefined ? null : tokenFromRow(row);
}

/** Every token, revoked ones too (they say when), newest first. */
export async function listApiTokens(store: Store): Promise<ApiToken[]> {
  const rows = await query(store).orderBy('api_tokens.created_at', 'desc').orderBy('api_tokens.id', 'desc').execute();
  return rows.map(tokenFromRow);
}

/**
 * Revokes a token for good, and deactivates its integration agent (which only that token
 * could act as). Revoking a revoked token changes nothing. False when there is no such token.
 */
export async function revokeApiToken(store: Store, id: string): Promise<boolean> {
  return store.write(async (trx, changes) => {
    const row = await trx
      .selectFrom('api_tokens')
      .select(['agent_id', 'revoked_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) return false;
    if (row.revoked_at !== null) return true;
    const now = Date.now();
    const before = await snapshotScopes(trx, [row.agent_id]);
    await trx.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).execute();
    await trx
      .updateTable('agents')
      .set({ active: 0, deactivated_at: now, seq: await changes.nextSeq('agent', row.agent_id) })
      .where('id', '=', row.agent_id)
      .execute();
    await scopesChanged(trx, changes, before);
    return true;
  });
}
