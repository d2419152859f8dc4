import { ApiErrorSchema, TeamSchema } from '@parley/protocol';
import { z } from 'zod';
import {
  createTeam,
  deleteTeam,
  listTeams,
  setDefaultTeam,
  setTeamMembers,
  updateTeam,
} from '../../../modules/teams/index.js';
import { adminOnly, sendFailure, type ApiRoutes } from './plugin.js';

/** What an admin may set on a team; every field but the name optional on creation. */
const TeamFieldsSchema = z
  .object({
    name: TeamSchema.shape.name,
    channelAccountIds: z.array(z.string().min(1)).max(500),
    autoAssign: TeamSchema.shape.autoAssign,
    offlineGraceMinutes: TeamSchema.shape.offlineGraceMinutes,
    firstResponseTargetSeconds: TeamSchema.shape.firstResponseTargetSeconds,
    waitingTargetSeconds: TeamSchema.shape.waitingTargetSeconds,
    rules: TeamSchema.shape.rules,
  })
  .strict();

const TeamParamsSchema = z.object({ id: z.string().min(1).max(100) });
const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema };

/** /api/v1/teams: everyone signed in reads them; admins make, change and delete them. */
export const teamRoutes: ApiRoutes = (api, deps) => {
  api.get(
    '/teams',
    {
      schema: {
        tags: ['teams'],
        summary: 'Every team, with its inboxes, settings and routing rules.',
        response: { 200: z.object({ teams: z.array(TeamSchema) }), 401: ApiErrorSchema },
      },
    },
    async () => ({ teams: await listTeams(deps.store.db) }),
  );

  api.post(
    '/teams',
    {
      schema: {
        tags: ['teams'],
        summary: 'Makes a team (admins). Inboxes given to it leave the team that had them.',
        body: TeamFieldsSchema.partial().required({ name: true }),
        response: { 201: z.object({ team: TeamSchema }), ...errors },
      },
    },
    async (request, reply) => {
      const refused = adminOnly(request);
      if (refused !== null) return sendFailure(reply, refused);
      const team = await createTeam(deps.store, request.body);
      if ('ok' in team) return sendFailure(reply, team);
      return reply.code(201).send({ team });
    },
  );

  api.patch(
    '/teams/:id',
    {
      schema: {
        tags: ['teams'],
        summary: 'Changes a team (admins): only the fields sent.',
        params: TeamParamsSchema,
        body: TeamFieldsSchema.partial(),
        response: { 200: z.object({ team: TeamSchema }), ...errors },
      },
    },
    async (request, reply) => {
      const refused = adminOnly(request);
      if (refused !== null) return sendFailure(reply, refused);
      const team = await updateTeam(deps.store, request.params.id, request.body);
      if ('ok' in team) return sendFailure(reply, team);
      return { team };
    },
  );

  api.delete(
    '/teams/:id',
    {
      schema: {
        tags: ['teams'],
        summary: 'Deletes a team (admins); its conversations and inboxes go to the default team.',
        params: TeamParamsSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const refused = adminOnly(request) ?? (await deleteTeam(deps.store, request.params.id));
      if (refused !== null) return sendFailure(reply, refused);
      return reply.code(204).send(null);
    },
  );

  api.put(
    '/teams/:id/members',
    {
      schema: {
        tags: ['teams'],
        summary: "Replaces a team's members (admins).",
        params: TeamParamsSchema,
        body: z.object({ agentIds: z.array(z.string().min(1)).max(1000) }).strict(),
        response: { 200: z.object({ team: TeamSchema, agentIds: z.array(z.string()) }), ...errors },
      },
    },
    async (request, reply) => {
      const refused = adminOnly(request);
      if (refused !== null) return sendFailure(reply, refused);
      const result = await setTeamMembers(deps.store, request.params.id, request.body.agentIds);
      if ('ok' in result) return sendFailure(reply, result);
      return result;
    },
  );

  api.put(
    '/settings/default-team',
    {
      schema: {
        tags: ['teams'],
        summary: 'The team new users and inboxes join (admins); null for none.',
        body: z.object({ teamId: z.string().min(1).nullable() }).strict(),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const refused = adminOnly(request) ?? (await setDefaultTeam(deps.store, request.body.teamId));
      if (refused !== null) return sendFailure(reply, refused);
      return reply.code(204).send(null);
    },
  );
};
