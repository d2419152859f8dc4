import { createHash } from 'node:crypto';
import { MutationSuccessSchema, FailureSchema, refusal, type Mutation, type MutationResult } from '@parley/protocol';
import { z } from 'zod';
import type { MutationGate } from '../../platform/mutation-gate.js';
import { messageFromRow, MESSAGE_COLUMNS } from '../../platform/rows.js';
import type { Store, Trx } from '../../platform/store.js';
import { permissionFor } from './permissions.js';

/**
 * The idempotency log, `mutations`: per client id, the answer and a fingerprint of the
 * mutation it answered, so the same id reused for a different change is told apart.
 */
const RecordedSchema = z.object({
  fingerprint: z.string(),
  result: z.union([MutationSuccessSchema, FailureSchema]),
});

/** A stable digest of the mutation (keys sorted), for comparing a repeat with the original. */
export function fingerprintOf(mutation: Mutation): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, inner]) => [key, canonical(inner)]),
      );
    }
    return value;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(mutation)))
    .digest('hex');
}

type Reader = Store['db'] | Trx;

/**
 * The recorded answer for this client id, if any: the same answer for the same mutation
 * (with the message as it is now, so a late retry sees its current status), a conflict
 * for a different one.
 */
export async function recordedAnswer(
  db: Reader,
  agentId: string,
  mutation: Mutation,
  fingerprint: string,
): Promise<MutationResult | null> {
  const row = await db
    .selectFrom('mutations')
    .select(['agent_id', 'type', 'result'])
    .where('client_id', '=', mutation.clientId)
    .executeTakeFirst();
  if (row === undefined) return null;
  const recorded = RecordedSchema.safeParse(JSON.parse(row.result));
  if (
    !recorded.success ||
    row.agent_id !== agentId ||
    row.type !== mutation.type ||
    recorded.data.fingerprint !== fingerprint
  ) {
    return refusal('conflict', 'client_id_reused');
  }
  const result = recorded.data.result;
  if (result.ok && result.message !== undefined) {
    const current = await db
      .selectFrom('messages')
      .select(MESSAGE_COLUMNS)
      .where('id', '=', result.message.id)
      .executeTakeFirst();
    if (current !== undefined) return { ok: true, message: messageFromRow(current) };
  }
  return result;
}

/** The gate a command runs its change through: the log, and the permission for this type. */
export function gateFor(agentId: string, mutation: Mutation, fingerprint: string): MutationGate {
  return {
    prior: (trx) => recordedAnswer(trx, agentId, mutation, fingerprint),
    permit: (trx) => permissionFor(trx, agentId, mutation),
    record: async (trx, result) => {
      await trx
        .insertInto('mutations')
        .values({
          client_id: mutation.clientId,
          agent_id: agentId,
          type: mutation.type,
          result: JSON.stringify({ fingerprint, result }),
          created_at: Date.now(),
        })
        .execute();
    },
  };
}
