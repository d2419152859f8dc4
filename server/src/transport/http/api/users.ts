import { AgentRoleSchema, ApiErrorSchema, InviteSchema, UserSchema } from '@parley/protocol';
import { z } from 'zod';
import { adminOnly, callerOf, sendFailure, supervisorOnly, type ApiRoutes } from './plugin.js';

/**
 * /api/v1/users: admins invite users, change their role and capacity, deactivate and
 * reactivate them; supervisors and admins list them. An admin may not demote or deactivate
 * themselves, nor leave the workspace without an active admin.
 */

const NameSchema = z.string().trim().min(1).max(80);
const CapacitySchema = z.number().int().min(0).max(1000);

const InviteBodySchema = z
  .object({
    email: z.string().trim().toLowerCase().email().max(254),
    name: NameSchema,
    role: AgentRoleSchema,
    capacity: CapacitySchema.optional(),
  })
  .strict();

const PatchBodySchema = z
  .object({
    name: NameSchema.optional(),
    role: AgentRoleSchema.optional(),
    capacity: CapacitySchema.optional(),
    active: z.boolean().optional(),
  })
  .strict();

const IdParamsSchema = z.object({ id: z.string().min(1).max(64) });

const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema } as const;

export const usersRoutes: ApiRoutes = (api, deps) => {
  api.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Every user of the workspace, active or not (supervisors and admins).',
        response: { 200: z.object({ users: z.array(UserSchema) }), ...errors },
      },
    },
    async (request, reply) => {
      const refused = supervisorOnly(request);
      if (refused !== null) return sendFailure(reply, refused);
      return { users: await deps.agents.listUsers() };
    },
  );

  api.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Invite a user: they choose their password with the invite token (admins).',
        body: InviteBodySchema,
        response: { 201: z.object({ user: UserSchema, invite: InviteSchema }), 409: ApiErrorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const refused = adminOnly(request);
      if (refused !== null) return sendFailure(reply, refused);
      const result = await deps.agents.inviteUser(request.body);
      if (!result.ok) return sendFailure(reply, result);
      request.log.info({ userId: result.user.id, by: callerOf(request).id }, 'user invited');
      return reply.code(201).send({ user: result.user, invite: result.invite });
    },
  );

  api.patch(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: "Change a user's name, role or capacity, or deactivate (active: false) and reactivate them (admins).",
        params: IdParamsSchema,
        body: PatchBodySchema,
        response: { 200: z.object({ user: UserSchema }), 404: ApiErrorSchema, 409: ApiErrorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const refused = adminOnly(request);
      if (refused !== null) return sendFailure(reply, refused);
      const caller = callerOf(request);
      const result = await deps.agents.updateUser(caller.id, request.params.id, request.body);
      if (!result.ok) return sendFailure(reply, result);
      request.log.info({ userId: request.params.id, by: caller.id, change: request.body }, 'user changed');
      return { user: result.user };
    },
  );
};
