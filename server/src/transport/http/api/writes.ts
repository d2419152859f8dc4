import { ApiErrorSchema, type Mutation, type MutationSuccess } from '@parley/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { runMutation } from '../../../modules/mutations/index.js';
import { callerOf, sendFailure, type ApiDeps } from './plugin.js';

/**
 * What every write of /api/v1 shares: the `Idempotency-Key` header, recorded as the
 * mutation's client id, the error answers, and running the mutation as the caller through
 * `runMutation`, the socket's own path.
 */

/** Writes carry the key the mutation is recorded under. Other headers pass through. */
export const IdempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(8)
    .max(64)
    .describe('Any unique string of 8 to 64 characters; repeating it repeats the first answer and changes nothing.'),
});

export const READ_ERRORS = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
} as const;
export const WRITE_ERRORS = { ...READ_ERRORS, 409: ApiErrorSchema } as const;

/** Runs the mutation as the caller; answers its failure, or hands the success on. */
export async function mutate(
  deps: ApiDeps,
  request: FastifyRequest & { headers: { 'idempotency-key': string } },
  reply: FastifyReply,
  mutation: (clientId: string) => Mutation,
  answer: (success: MutationSuccess) => Promise<FastifyReply>,
): Promise<FastifyReply> {
  const result = await runMutation(deps, callerOf(request).id, mutation(request.headers['idempotency-key']));
  if (!result.ok) return sendFailure(reply, result);
  return answer(result);
}
