import { ApiErrorSchema, ChannelSchema, refusal } from '@parley/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  agentsToday,
  dailyMetrics,
  isTimeZone,
  mayReadTeam,
  namesFor,
  rangeOf,
  spreadsheetText,
  toCsv,
  MAX_METRICS_DAYS,
  METRICS_DIMENSIONS,
  type MetricsDimension,
  type MetricsRow,
} from '../../../modules/metrics/index.js';
import type { Store } from '../../../platform/store.js';
import { sendApiError } from '../errors.js';
import { callerOf, sendFailure, supervisorOnly, type ApiRoutes } from './plugin.js';

/**
 * /api/v1/metrics: conversations created and resolved, and the medians of first-response
 * and resolution times, per day and by team, agent and channel; each agent's load today.
 * Supervisors read their teams' numbers, admins everyone's; agents are refused.
 */

const MetricsRowSchema = z.object({
  date: z.string().describe('YYYY-MM-DD, in `tz`.'),
  teamId: z.string().nullable(),
  agentId: z.string().nullable().describe('The assignee; null for unassigned conversations.'),
  channel: ChannelSchema.nullable().describe('null only when `by` leaves out channel.'),
  conversations: z.number().int().describe('Conversations created that day.'),
  resolved: z.number().int().describe('Conversations resolved that day.'),
  firstResponseMedianSeconds: z.number().int().nullable(),
  resolutionMedianSeconds: z.number().int().nullable(),
});

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .optional()
  .describe('An IANA time zone (Europe/Paris) the days are counted in; UTC when absent.');
const BY_PATTERN = new RegExp(`^((${METRICS_DIMENSIONS.join('|')})(,(${METRICS_DIMENSIONS.join('|')}))*)?$`);

const DailyQuerySchema = z.object({
  from: DATE.describe('The first day, YYYY-MM-DD.'),
  to: DATE.describe(`The last day, included; at most ${MAX_METRICS_DAYS} days after from.`),
  teamId: z.string().min(1).max(64).optional(),
  tz: TimeZone,
  by: z
    .string()
    .regex(BY_PATTERN)
    .optional()
    .describe(
      'What rows are grouped by besides the day: a comma-separated subset of team, agent, channel ' +
        '(default all three; empty for one row a day).',
    ),
});

const ERRORS = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } as const;

function malformed(reply: FastifyReply, path: string): FastifyReply {
  return sendApiError(reply, 400, 'bad_request', 'malformed', { request: 'http', part: 'querystring', path });
}

/** The refusal for a caller or query these routes do not answer; null when they do. */
async function refuse(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
  query: { teamId?: string | undefined; tz?: string | undefined },
): Promise<FastifyReply | null> {
  const refused = supervisorOnly(request);
  if (refused !== null) return sendFailure(reply, refused);
  if (query.tz !== undefined && !isTimeZone(query.tz)) return malformed(reply, 'tz');
  // A team the caller is not in is answered as missing, so its existence is not told.
  if (query.teamId !== undefined && !(await mayReadTeam(store, callerOf(request), query.teamId))) {
    return sendFailure(reply, refusal('not_found', 'team_missing'));
  }
  return null;
}

function dimensions(by: string | undefined): MetricsDimension[] {
  if (by === undefined) return [...METRICS_DIMENSIONS];
  return METRICS_DIMENSIONS.filter((dimension) => by.split(',').includes(dimension));
}

const nameCell = (name: string | undefined): string | null => (name === undefined ? null : spreadsheetText(name));

const CSV_HEADER = [
  'date',
  'team_id',
  'team_name',
  'agent_id',
  'agent_name',
  'channel',
  'conversations',
  'resolved',
  'first_response_median_seconds',
  'resolution_median_seconds',
] as const;

export const metricsRoutes: ApiRoutes = (api, deps) => {
  /** The rows of a daily query, or the refusal already sent. */
  const rowsFor = async (
    query: z.infer<typeof DailyQuerySchema>,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<MetricsRow[] | FastifyReply> => {
    const refused = await refuse(deps.store, request, reply, query);
    if (refused !== null) return refused;
    const range = rangeOf({ from: query.from, to: query.to, timeZone: query.tz });
    if ('why' in range) return malformed(reply, range.path);
    return dailyMetrics(deps.store, callerOf(request), {
      from: query.from,
      to: query.to,
      teamId: query.teamId,
      timeZone: query.tz,
      by: dimensions(query.by),
    });
  };

  api.get(
    '/metrics/daily',
    {
      schema: {
        tags: ['metrics'],
        operationId: 'dailyMetrics',
        summary:
          'Per day: conversations created and resolved, median first-response and resolution times, by team, agent and channel.',
        querystring: DailyQuerySchema,
        response: { 200: z.object({ rows: z.array(MetricsRowSchema) }), ...ERRORS },
      },
    },
    async (request, reply) => {
      const rows = await rowsFor(request.query, request, reply);
      if (!Array.isArray(rows)) return rows;
      return { rows };
    },
  );

  api.get(
    '/metrics/daily.csv',
    {
      schema: {
        tags: ['metrics'],
        operationId: 'dailyMetricsCsv',
        summary: 'The same numbers as /metrics/daily, as a CSV file (RFC 4180) with team and agent names.',
        querystring: DailyQuerySchema,
        response: {
          200: {
            description: 'A header row, then one row per day and group.',
            content: { 'text/csv': { schema: z.string() } },
          },
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const rows = await rowsFor(request.query, request, reply);
      if (!Array.isArray(rows)) return rows;
      const names = await namesFor(deps.store, rows);
      const csv = toCsv(
        CSV_HEADER,
        rows.map((row) => [
          row.date,
          row.teamId,
          nameCell(row.teamId === null ? undefined : names.teams.get(row.teamId)),
          row.agentId,
          nameCell(row.agentId === null ? undefined : names.agents.get(row.agentId)),
          row.channel,
          row.conversations,
          row.resolved,
          row.firstResponseMedianSeconds,
          row.resolutionMedianSeconds,
        ]),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="parley-metrics-${request.query.from}-${request.query.to}.csv"`,
        )
        .serializer((payload: unknown) => String(payload))
        .send(csv);
    },
  );

  api.get(
    '/metrics/agents/today',
    {
      schema: {
        tags: ['metrics'],
        operationId: 'agentsToday',
        summary:
          "Each agent the caller supervises: conversations they hold that are not resolved, and today's median first response.",
        querystring: z.object({ teamId: z.string().min(1).max(64).optional(), tz: TimeZone }),
        response: {
          200: z.object({
            agents: z.array(
              z.object({
                agentId: z.string(),
                open: z.number().int(),
                firstResponseMedianSeconds: z.number().int().nullable(),
              }),
            ),
          }),
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const refused = await refuse(deps.store, request, reply, request.query);
      if (refused !== null) return refused;
      return {
        agents: await agentsToday(deps.store, callerOf(request), {
          teamId: request.query.teamId,
          timeZone: request.query.tz,
          now: Date.now(),
        }),
      };
    },
  );
};
