import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Failure } from '@parley/protocol';
import {
  accountForAdmin,
  createChannelAccount,
  deleteChannelAccount,
  listAccountsForAdmin,
  updateChannelAccount,
} from '../../modules/channelAccounts/index.js';
import {
  CreateChannelAccountSchema,
  UpdateChannelAccountSchema,
  describeIssues,
} from '../../modules/channelAccounts/index.js';
import type { Agents } from '../../modules/agents/index.js';
import type { Store } from '../../platform/store.js';
import { issuePaths, sendApiError } from './errors.js';
import { bearerToken } from './auth.js';

export type AdminOptions = {
  store: Store;
  agents: Agents;
  /** PARLEY_ADMIN_TOKEN: automation may use it instead of an admin's session. */
  adminToken: string | undefined;
};

/** Who made an admin change, for the log: an admin agent, or the configured admin token. */
type Admin = { kind: 'agent'; agentId: string } | { kind: 'token' };

const ParamsSchema = z.object({ id: z.string().min(1).max(64) });

/** Equal-length digests, so the comparison takes the same time whatever the guess. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function statusOf(result: Failure): number {
  switch (result.code) {
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    default:
      return 400;
  }
}

/**
 * GET/POST/PATCH/DELETE /api/admin/channels: the channel accounts, for admins. Every write
 * stamps a seq, so signed-in clients receive the account (without its secrets) live.
 */
export function adminRoutes(app: FastifyInstance, options: AdminOptions, done: () => void): void {
  const admins = new WeakMap<FastifyRequest, Admin>();

  app.addHook('preHandler', async (request, reply) => {
    const admin = await authenticate(request, options);
    if (admin === 'unauthorized') {
      // Sign in as an admin, or send Authorization: Bearer <PARLEY_ADMIN_TOKEN>.
      return sendApiError(reply, 401, 'unauthorized', 'admin_only');
    }
    if (admin === 'forbidden') {
      return sendApiError(reply, 403, 'forbidden', 'admin_only');
    }
    admins.set(request, admin);
    return undefined;
  });

  const audit = (request: FastifyRequest, action: string, id: string): void => {
    const admin = admins.get(request);
    request.log.info(
      { action, channelAccountId: id, by: admin?.kind === 'agent' ? admin.agentId : 'admin token' },
      'channel account changed',
    );
  };

  app.get('/api/admin/channels', async () => ({ channels: await listAccountsForAdmin(options.store) }));

  app.get('/api/admin/channels/:id', async (request, reply) => {
    const params = ParamsSchema.safeParse(request.params);
    const account = params.success ? await accountForAdmin(options.store, params.data.id) : null;
    if (account === null) return sendApiError(reply, 404, 'not_found', 'channel_account_missing');
    return { account };
  });

  app.post('/api/admin/channels', async (request, reply) => {
    const body = CreateChannelAccountSchema.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    const result = await createChannelAccount(options.store, body.data);
    if (!result.ok) return sendApiError(reply, statusOf(result), result.code, result.reason, result.params);
    audit(request, 'create', result.account.id);
    return reply.code(201).send({ account: result.account });
  });

  app.patch('/api/admin/channels/:id', async (request, reply) => {
    const params = ParamsSchema.safeParse(request.params);
    if (!params.success) return sendApiError(reply, 404, 'not_found', 'channel_account_missing');
    const body = UpdateChannelAccountSchema.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    const result = await updateChannelAccount(options.store, params.data.id, body.data);
    if (!result.ok) return sendApiError(reply, statusOf(result), result.code, result.reason, result.params);
    audit(request, 'update', result.account.id);
    return { account: result.account };
  });

  app.delete('/api/admin/channels/:id', async (request, reply) => {
    const params = ParamsSchema.safeParse(request.params);
    if (!params.success) return sendApiError(reply, 404, 'not_found', 'channel_account_missing');
    const result = await deleteChannelAccount(options.store, params.data.id);
    if (!result.ok) return sendApiError(reply, statusOf(result), result.code, result.reason, result.params);
    audit(request, 'delete', params.data.id);
    return reply.code(204).send();
  });
  done();
}

async function authenticate(
  request: FastifyRequest,
  options: AdminOptions,
): Promise<Admin | 'unauthorized' | 'forbidden'> {
  const token = bearerToken(request);
  if (token === undefined || token === '') return 'unauthorized';
  if (options.adminToken !== undefined && sameSecret(token, options.adminToken)) return { kind: 'token' };
  const agent = await options.agents.agentForToken(token);
  if (agent === null) return 'unauthorized';
  if (agent.role !== 'admin') return 'forbidden';
  return { kind: 'agent', agentId: agent.id };
}

/** 400 naming each bad field; the messages describe the field, never echo its value. */
function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  // `problems` is for whoever automates the admin API: one line per bad field.
  return reply.code(400).send({
    code: 'bad_request',
    reason: 'channel_account_invalid',
    params: { fields: issuePaths(error) },
    problems: describeIssues(error),
  });
}
