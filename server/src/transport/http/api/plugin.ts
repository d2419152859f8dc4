import fastifySwagger from '@fastify/swagger';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { SESSION_COOKIE, refusal, type Failure } from '@parley/protocol';
import type { Agents } from '../../../modules/agents/index.js';
import { principalOf, type Principal } from '../../../modules/access/index.js';
import { agentForApiToken } from '../../../modules/integrations/index.js';
import type { OutboundService } from '../../../modules/outbound/index.js';
import type { Store } from '../../../platform/store.js';
import { bearerToken } from '../auth.js';
import { sendApiError } from '../errors.js';

/**
 * /api/v1: the REST API, for the app's admin and supervisor screens and for other systems.
 * Every route declares its params, body and answers with zod; the same schemas validate
 * requests and generate the OpenAPI 3.1 document at /api/v1/openapi.json. Every change goes
 * through the mutation path (modules/mutations) with the same permission checks as the
 * socket; reads go through the same visibility rule (modules/access).
 *
 * A caller is a signed-in user (the session cookie, or `Authorization: Bearer <access
 * token>`) or an integration (`Authorization: Bearer pk_…`, an API token an admin made).
 */

export type ApiDeps = {
  store: Store;
  agents: Agents;
  outbound: OutboundService;
};

/** A route file of the API: registered under /api/v1 with the caller already known. */
export type ApiRoutes = (api: ApiInstance, deps: ApiDeps) => void | Promise<void>;
export type ApiInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

declare module 'fastify' {
  // Declaration merging needs an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface FastifyRequest {
    /** The caller of an /api/v1 route, set by its authentication hook. */
    principal: Principal | null;
  }
}

/** The shape of every error answer, for the OpenAPI document. */
export { ApiErrorSchema } from '@parley/protocol';

/** HTTP status for a refusal's code. */
export function statusOf(failure: Failure): number {
  switch (failure.code) {
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'too_large':
      return 413;
    case 'internal':
      return 500;
    default:
      return 400;
  }
}

export function sendFailure(reply: FastifyReply, failure: Failure): FastifyReply {
  return sendApiError(reply, statusOf(failure), failure.code, failure.reason, failure.params);
}

/** The caller, or the refusal when the request carries no valid session or API token. */
async function authenticate(request: FastifyRequest, deps: ApiDeps): Promise<Principal | Failure> {
  const token = bearerToken(request);
  if (token === undefined) return refusal('unauthorized', 'session_missing');
  const integration = await agentForApiToken(deps.store, token);
  const agentId = integration ?? (await deps.agents.agentForToken(token))?.id ?? null;
  if (agentId === null) {
    return refusal('unauthorized', token.startsWith('pk_') ? 'api_token_invalid' : 'session_ended');
  }
  const principal = await principalOf(deps.store.db, agentId);
  if (principal === null) return refusal('unauthorized', 'agent_missing');
  if (!principal.active) return refusal('unauthorized', 'account_deactivated');
  return principal;
}

/** The principal of a request that passed authentication (every /api/v1 route but the document). */
export function callerOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new Error('An /api/v1 route ran without an authenticated caller.');
  return request.principal;
}

/** A refusal unless the caller is an admin. */
export function adminOnly(request: FastifyRequest): Failure | null {
  return callerOf(request).role === 'admin' ? null : refusal('forbidden', 'admin_only');
}

/** A refusal unless the caller is a supervisor or an admin. */
export function supervisorOnly(request: FastifyRequest): Failure | null {
  const role = callerOf(request).role;
  return role === 'admin' || role === 'supervisor' ? null : refusal('forbidden', 'supervisor_only');
}

/**
 * Registers the OpenAPI generator and the /api/v1 scope with each route file. Route files
 * use `api.withTypeProvider<ZodTypeProvider>()` and declare `schema: { params, querystring,
 * body, response }` with zod, plus `tags` and `summary` for the document.
 */
export async function registerApi(app: FastifyInstance, deps: ApiDeps, routes: readonly ApiRoutes[]): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley API',
        version: '1.0.0',
        description:
          'Conversations, messages, assignment and administration of a Parley workspace. Errors answer ' +
          '`{ code, reason?, params? }`: switch on `code`; `reason` refines it.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (pk_…) or a session access token.' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    // Only the API is documented: the app's own routes and webhooks are not for integrators.
    hideUntagged: true,
  });
  app.decorateRequest('principal', null);
  await app.register(
    async (api) => {
      api.setValidatorCompiler(validatorCompiler);
      api.setSerializerCompiler(serializerCompiler);
      api.setErrorHandler((error, request, reply) => {
        if (hasZodFastifySchemaValidationErrors(error)) {
          const issue = error.validation[0];
          const path = issue?.instancePath.replace(/^\//, '').replaceAll('/', '.') ?? '';
          return sendApiError(reply, 400, 'bad_request', 'malformed', {
            request: 'http',
            part: error.validationContext ?? 'body',
            path,
          });
        }
        throw error;
      });
      api.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
      // Before validation: a caller without a valid session or token learns nothing about
      // what a well-formed request would be, and gets 401 whatever it sent.
      api.addHook('preValidation', async (request, reply) => {
        if (request.routeOptions.url === '/api/v1/openapi.json') return;
        const caller = await authenticate(request, deps);
        if ('ok' in caller) return sendFailure(reply, caller);
        request.principal = caller;
      });
      const typed = api.withTypeProvider<ZodTypeProvider>();
      for (const register of routes) await register(typed, deps);
    },
    { prefix: '/api/v1' },
  );
}
