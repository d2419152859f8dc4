import { createHash } from 'node:crypto';
import { CannedResponseSchema, refusal, type CannedResponse } from '@parley/protocol';
import { z } from 'zod';
import type { Principal } from '../../../modules/access/index.js';
import { cannedResponseFromRow } from '../../../platform/rows.js';
import { callerOf, sendFailure, type ApiDeps, type ApiRoutes } from './plugin.js';
import { IdempotencyHeaders, READ_ERRORS, WRITE_ERRORS, writeRoute } from './writes.js';

/**
 * /api/v1/canned-responses: the replies kept for reuse that the caller sees (the shared
 * ones, and their own), under the socket's rules: shared ones are kept by supervisors and
 * admins, personal ones by their owner alone, and a shortcut is unique among what a user
 * sees. Writes are mutations, recorded under the `Idempotency-Key` header.
 */

const Params = z.object({ id: z.string().min(1).max(64) });
const Fields = {
  shortcut: CannedResponseSchema.shape.shortcut.describe('Typed after `/` in the composer: letters, digits, _ and -.'),
  title: CannedResponseSchema.shape.title,
  body: CannedResponseSchema.shape.body.describe('May hold {{contact.name}} and {{agent.name}}, filled in when used.'),
};

/** The one the caller sees with this id (not deleted), or null. */
async function visible(deps: ApiDeps, caller: Principal, id: string): Promise<CannedResponse | null> {
  const row = await deps.store.db
    .selectFrom('canned_responses')
    .selectAll()
    .where('id', '=', id)
    .where('deleted', '=', 0)
    .where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', caller.id)]))
    .executeTakeFirst();
  return row === undefined ? null : cannedResponseFromRow(row);
}

/** A new one's id, the same for the same caller and key, so a repeated request makes it once. */
function idFor(callerId: string, key: string): string {
  return createHash('sha256').update(`canned:${callerId}:${key}`).digest('hex').slice(0, 32);
}

export const cannedResponseRoutes: ApiRoutes = (api, deps) => {
  api.get(
    '/canned-responses',
    {
      schema: {
        tags: ['canned responses'],
        operationId: 'listCannedResponses',
        summary: 'The canned responses the caller sees: the shared ones and their own, by shortcut.',
        response: { 200: z.object({ cannedResponses: z.array(CannedResponseSchema) }), ...READ_ERRORS },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const rows = await deps.store.db
        .selectFrom('canned_responses')
        .selectAll()
        .where('deleted', '=', 0)
        .where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', caller.id)]))
        .orderBy('shortcut')
        .orderBy('id')
        .execute();
      return { cannedResponses: rows.map(cannedResponseFromRow) };
    },
  );

  writeRoute(api, deps, {
    method: 'post',
    url: '/canned-responses',
    schema: {
      tags: ['canned responses'],
      operationId: 'createCannedResponse',
      summary: 'Creates a canned response: shared with everyone (supervisors and admins only) or the caller’s own.',
      headers: IdempotencyHeaders,
      body: z.object({ ...Fields, shared: z.boolean() }).strict(),
      response: { 201: z.object({ cannedResponse: CannedResponseSchema }), ...WRITE_ERRORS },
    },
    mutation: (request, clientId) => ({
      type: 'cannedResponse.save',
      clientId,
      id: idFor(callerOf(request).id, clientId),
      ...request.body,
    }),
    answer: async (request, reply) => {
      const caller = callerOf(request);
      const made = await visible(deps, caller, idFor(caller.id, request.headers['idempotency-key']));
      if (made === null) return sendFailure(reply, refusal('not_found', 'canned_response_missing'));
      return reply.code(201).send({ cannedResponse: made });
    },
  });

  writeRoute(api, deps, {
    method: 'put',
    url: '/canned-responses/:id',
    schema: {
      tags: ['canned responses'],
      operationId: 'updateCannedResponse',
      summary: 'Changes the shortcut, title and body of a canned response the caller may keep; its scope stays.',
      params: Params,
      headers: IdempotencyHeaders,
      body: z.object(Fields).strict(),
      response: { 200: z.object({ cannedResponse: CannedResponseSchema }), ...WRITE_ERRORS },
    },
    mutation: async (request, clientId) => {
      // An id the caller does not see is missing: a PUT never makes one.
      const existing = await visible(deps, callerOf(request), request.params.id);
      if (existing === null) return refusal('not_found', 'canned_response_missing');
      return {
        type: 'cannedResponse.save',
        clientId,
        id: request.params.id,
        ...request.body,
        shared: existing.ownerId === null,
      };
    },
    answer: async (request, reply) => {
      const saved = await visible(deps, callerOf(request), request.params.id);
      if (saved === null) return sendFailure(reply, refusal('not_found', 'canned_response_missing'));
      return reply.code(200).send({ cannedResponse: saved });
    },
  });

  writeRoute(api, deps, {
    method: 'delete',
    url: '/canned-responses/:id',
    schema: {
      tags: ['canned responses'],
      operationId: 'deleteCannedResponse',
      summary: 'Deletes a canned response the caller may keep; devices that hold it drop it.',
      params: Params,
      headers: IdempotencyHeaders,
      response: { 204: z.null(), ...WRITE_ERRORS },
    },
    mutation: (request, clientId) => ({ type: 'cannedResponse.delete', clientId, id: request.params.id }),
    answer: async (_request, reply) => reply.code(204).send(null),
  });
};
