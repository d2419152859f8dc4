import { AgentSchema, ApiErrorSchema, SetPresenceSchema } from '@parley/protocol';
import { z } from 'zod';
import { presenceOf } from '../../../modules/presence/index.js';
import { callerOf, sendFailure, type ApiRoutes } from './plugin.js';

/** PUT /api/v1/me/presence: Away by hand, or back Online (Offline follows the connection). */
export const presenceRoutes: ApiRoutes = (api, deps) => {
  api.put(
    '/me/presence',
    {
      schema: {
        tags: ['account'],
        summary:
          'Sets the caller Away, or back Online. Online needs a connected app: without one the caller stays Offline.',
        body: SetPresenceSchema.strict(),
        response: { 200: z.object({ agent: AgentSchema }), 400: ApiErrorSchema, 401: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      const agent = await presenceOf(deps.store).set(callerOf(request).id, request.body.presence);
      if ('ok' in agent) return sendFailure(reply, agent);
      return { agent };
    },
  );
};
