import type { FastifyInstance } from 'fastify';
import { cannedResponseRoutes } from './cannedResponses.js';
import { contactRoutes } from './contacts.js';
import { conversationRoutes } from './conversations.js';
import { meRoutes } from './me.js';
import { metricsRoutes } from './metrics.js';
import { presenceRoutes } from './presence.js';
import { teamRoutes } from './teams.js';
import { registerApi, type ApiDeps, type ApiRoutes } from './plugin.js';
import { tokenRoutes } from './tokens.js';
import { usersRoutes } from './users.js';

/** Every route file of /api/v1; add a new one here. */
const ROUTES: readonly ApiRoutes[] = [
  meRoutes,
  usersRoutes,
  conversationRoutes,
  contactRoutes,
  cannedResponseRoutes,
  teamRoutes,
  presenceRoutes,
  tokenRoutes,
  metricsRoutes,
];

export function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  return registerApi(app, deps, ROUTES);
}
