import { AgentSchema, ApiErrorSchema } from '@parley/protocol';
import { z } from 'zod';
import { callerOf, sendFailure, type ApiRoutes } from './plugin.js';
import { refusal } from '@parley/protocol';

/** GET /api/v1/me: who the caller is (a user, or the integration an API token acts as). */
export const meRoutes: ApiRoutes = (api, deps) => {
  api.get(
    '/me',
    {
      schema: {
        tags: ['account'],
        summary: 'The caller: the signed-in user, or the integration an API token acts as.',
        response: { 200: z.object({ agent: AgentSchema }), 401: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      const agent = await deps.agents.agentById(callerOf(request).id);
      if (agent === null) return sendFailure(reply, refusal('unauthorized', 'agent_missing'));
      return { agent };
    },
  );
};
