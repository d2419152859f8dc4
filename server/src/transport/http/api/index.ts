import type { FastifyInstance } from 'fastify';
import { meRoutes } from './me.js';
import { registerApi, type ApiDeps, type ApiRoutes } from './plugin.js';
import { usersRoutes } from './users.js';

/** Every route file of /api/v1; add a new one here. */
const ROUTES: readonly ApiRoutes[] = [meRoutes, usersRoutes];

export function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  return registerApi(app, deps, ROUTES);
}
