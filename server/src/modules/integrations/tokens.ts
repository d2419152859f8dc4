import { createHash } from 'node:crypto';
import type { Store } from '../../platform/store.js';

/** API tokens other systems (a CRM, a bot) use; only a hash is stored, like sessions. */
export const API_TOKEN_PREFIX = 'pk_';

export function apiTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

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
  await store.db.updateTable('api_tokens').set({ last_used_at: Date.now() }).where('id', '=', row.id).execute();
  return row.agent_id;
}
