import type { Failure, MutationResult } from '@parley/protocol';
import type { Trx } from './store.js';

/**
 * How the mutation module takes part in a command's write transaction: the answer already
 * recorded for this client id, the permission check, and recording the new answer. The
 * commands of each module run their change through `throughGate`; only the mutation module
 * (modules/mutations) makes gates.
 */
export type MutationGate = {
  /** The answer already recorded for this client id, read inside the write (a concurrent twin won). */
  prior(trx: Trx): Promise<MutationResult | null>;
  /** A refusal when the agent may not make this change; null when they may. */
  permit(trx: Trx): Promise<Failure | null>;
  record(trx: Trx, result: MutationResult): Promise<void>;
};

/**
 * Inside one transaction: a repeat gets the recorded answer; otherwise the permission is
 * checked, the change applied, and the answer (a refusal too) recorded with it, so the same
 * change sent again gets the same answer.
 */
export async function throughGate<T extends MutationResult>(
  trx: Trx,
  gate: MutationGate,
  apply: () => Promise<T>,
): Promise<MutationResult> {
  const prior = await gate.prior(trx);
  if (prior !== null) return prior;
  const refused = await gate.permit(trx);
  const result = refused ?? (await apply());
  await gate.record(trx, result);
  return result;
}
