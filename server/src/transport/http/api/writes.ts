import { ApiErrorSchema, type Failure, type Mutation, type MutationSuccess } from '@parley/protocol';
import type {
  ContextConfigDefault,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { runMutation } from '../../../modules/mutations/index.js';
import { callerOf, sendFailure, type ApiDeps, type ApiInstance } from './plugin.js';

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

/** A write route's request and reply, typed by its schema. */
type WriteRequest<Schema extends FastifySchema> = FastifyRequest<
  RouteGenericInterface,
  RawServerDefault,
  RawRequestDefaultExpression,
  Schema,
  ZodTypeProvider
>;
type WriteReply<Schema extends FastifySchema> = FastifyReply<
  RouteGenericInterface,
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  ContextConfigDefault,
  Schema,
  ZodTypeProvider
>;

/** A write route of /api/v1: where it is, what it documents and accepts, and what it does. */
export type WriteRoute<Schema extends FastifySchema> = {
  method: 'post' | 'put' | 'delete';
  url: string;
  /** Must declare `headers: IdempotencyHeaders`; the OpenAPI document is generated from it. */
  schema: Schema;
  /** The mutation the request asks for, or the refusal that stops it before it runs. */
  mutation: (request: WriteRequest<Schema>, clientId: string) => Mutation | Failure | Promise<Mutation | Failure>;
  /** The answer once the mutation succeeded (or was recorded before under the same key). */
  answer: (request: WriteRequest<Schema>, reply: WriteReply<Schema>, success: MutationSuccess) => Promise<FastifyReply>;
};

/**
 * Registers a write: builds the mutation with the `Idempotency-Key` as its client id, runs
 * it as the caller, and answers its failure with the error body, or its success.
 */
export function writeRoute<const Schema extends FastifySchema & { headers: typeof IdempotencyHeaders }>(
  api: ApiInstance,
  deps: ApiDeps,
  route: WriteRoute<Schema>,
): void {
  const handler = async (request: WriteRequest<Schema>, reply: WriteReply<Schema>): Promise<void> => {
    // The schema's headers made the key a string before the handler runs.
    const clientId = request.headers['idempotency-key'] as string;
    const mutation = await route.mutation(request, clientId);
    if ('ok' in mutation) {
      sendFailure(reply, mutation);
      return;
    }
    const result = await runMutation(deps, callerOf(request).id, mutation);
    if (!result.ok) {
      sendFailure(reply, result);
      return;
    }
    await route.answer(request, reply, result);
  };
  // What a handler may return is worked out from a schema TypeScript cannot see through here.
  api[route.method](
    route.url,
    { schema: route.schema },
    handler as RouteHandlerMethod<
      RawServerDefault,
      RawRequestDefaultExpression,
      RawReplyDefaultExpression,
      RouteGenericInterface,
      ContextConfigDefault,
      Schema,
      ZodTypeProvider
    >,
  );
}
