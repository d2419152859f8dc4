import { AgentRoleSchema, ApiErrorSchema, refusal } from '@parley/protocol';
import { z } from 'zod';
import { createApiToken, listApiTokens, revokeApiToken } from '../../../modules/integrations/index.js';
import { adminOnly, callerOf, sendFailure, type ApiRoutes } from './plugin.js';

/**
 * /api/v1/tokens: API tokens for other systems, made and revoked by admins. Each token acts
 * as its own integration agent with the role chosen here; an agent or supervisor token sees
 * nothing until it is added to a team (PUT /teams/:id/members).
 */

const ApiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: AgentRoleSchema,
  agentId: z.string().describe('The integration agent the token acts as.'),
  createdBy: z.string(),
  createdAt: z.number().int(),
  lastUsedAt: z.number().int().nullable(),
  revokedAt: z.number().int().nullable(),
});

const TOKEN_ERRORS = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema } as const;

export const tokenRoutes: ApiRoutes = (api, deps) => {
  api.get(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'listTokens',
        summary: 'Every API token, revoked ones included; never their secrets. Admins only.',
        response: { 200: z.object({ tokens: z.array(ApiTokenSchema) }), ...TOKEN_ERRORS },
      },
    },
    async (request, reply) => {
      const refused = adminOnly(request);
      if (refused !== null) return sendFailure(reply, refused);
      return { tokens: await listApiTokens(deps.store) };
    },
  );

  api.post(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'createToken',
        summary: 'Creates an API token acting as a new integration with this role. The secret is answered once.',
        body: z.object({ name: z.string().trim().min(1).max(100), role: AgentRoleSchema }).strict(),
        response: {
          201: z.object({
            token: ApiTokenSchema,
            secret: z.string().describe('`pk_…`: send it as `Authorization: Bearer <secret>`. Shown only now.'),
          }),
          ...TOKEN_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const refused = adminOnly(request);
      if (refused !== null) return sendFailure(reply, refused);
      const created = await createApiToken(deps.store, { ...request.body, createdBy: callerOf(request).id });
      return reply.code(201).send(created);
    },
  );

  api.delete(
    '/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'revokeToken',
        summary: 'Revokes an API token: its next request answers 401 api_token_invalid.',
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 204: z.null(), 404: ApiErrorSchema, ...TOKEN_ERRORS },
      },
    },
    async (request, reply) => {
      const refused = adminOnly(request);
      if (refused !== null) return sendFailure(reply, refused);
      if (!(await revokeApiToken(deps.store, request.params.id))) return sendFailure(reply, refusal('not_found'));
      return reply.code(204).send(null);
    },
  );
};
