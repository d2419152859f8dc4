import { z } from 'zod';
import {
  AgentRoleSchema,
  AgentSchema,
  ChannelSchema,
  LoginResponseSchema,
  ServerInfoSchema,
  TeamSchema,
  type Agent,
  type AgentRole,
  type LoginResponse,
  type RoutingRule,
  type ServerInfo,
  type Team,
} from '@parley/protocol';
import { ApiError, readJson, refusalOf, requestJson, send, type ServerAccess } from './http.js';

export { ApiError } from './http.js';

export async function fetchServerInfo(serverUrl: string): Promise<ServerInfo> {
  return ServerInfoSchema.parse(await requestJson({ serverUrl }, '/api/info'));
}

export async function login(serverUrl: string, email: string, password: string): Promise<LoginResponse> {
  const body = await requestJson({ serverUrl }, '/api/auth/login', { method: 'POST', json: { email, password } });
  return LoginResponseSchema.parse(body);
}

export async function logout(serverUrl: string, token: string | null): Promise<void> {
  await requestJson({ serverUrl, getToken: () => Promise.resolve(token) }, '/api/auth/logout', { method: 'POST' });
}

// ---------------------------------------------------------------------------------------
// /api/v1: metrics and administration. Synced data (conversations, agents, teams) is read
// from the local cache; only what the cache does not hold is asked for here. Every answer is
// parsed, so a server out of step fails here and not deep in a view.

/** A user as the admin screen sees it: an agent with when it was made and deactivated. */
export const UserSchema = AgentSchema.extend({
  createdAt: z.number(),
  deactivatedAt: z.number().nullable(),
});
export type User = z.infer<typeof UserSchema>;

export const InviteSchema = z.object({ token: z.string().min(1), expiresAt: z.number() });
export type Invite = z.infer<typeof InviteSchema>;

export const MetricsRowSchema = z.object({
  date: z.string(),
  teamId: z.string().nullable(),
  agentId: z.string().nullable(),
  channel: ChannelSchema,
  conversations: z.number(),
  resolved: z.number(),
  firstResponseMedianSeconds: z.number().nullable(),
  resolutionMedianSeconds: z.number().nullable(),
});
export type MetricsRow = z.infer<typeof MetricsRowSchema>;

export const AgentTodaySchema = z.object({
  agentId: z.string(),
  open: z.number(),
  firstResponseMedianSeconds: z.number().nullable(),
});
export type AgentToday = z.infer<typeof AgentTodaySchema>;

/** An API token as listed: never its secret, which is shown once when it is made. */
export const ApiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: AgentRoleSchema.optional().catch(undefined),
  createdAt: z.number().optional().catch(undefined),
  lastUsedAt: z.number().nullable().optional().catch(undefined),
  revokedAt: z.number().nullable().optional().catch(undefined),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

/** The fields of a team an admin may set; all optional when changing one. */
export type TeamFields = {
  name?: string;
  channelAccountIds?: string[];
  autoAssign?: boolean;
  offlineGraceMinutes?: number;
  firstResponseTargetSeconds?: number;
  waitingTargetSeconds?: number;
  rules?: RoutingRule[];
};

function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined) params.set(key, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

const v1 = (path: string): string => `/api/v1${path}`;

export async function fetchUsers(access: ServerAccess): Promise<User[]> {
  const body = z.object({ users: z.array(UserSchema) }).parse(await requestJson(access, v1('/users')));
  return body.users;
}

export async function inviteUser(
  access: ServerAccess,
  user: { email: string; name: string; role: AgentRole; capacity?: number },
): Promise<{ user: User; invite: Invite }> {
  const body = await requestJson(access, v1('/users'), { method: 'POST', json: user });
  return z.object({ user: UserSchema, invite: InviteSchema }).parse(body);
}

export async function updateUser(
  access: ServerAccess,
  id: string,
  change: { name?: string; role?: AgentRole; capacity?: number; active?: boolean },
): Promise<User> {
  const body = await requestJson(access, v1(`/users/${encodeURIComponent(id)}`), { method: 'PATCH', json: change });
  return z.object({ user: UserSchema }).parse(body).user;
}

export async function createTeam(access: ServerAccess, team: TeamFields & { name: string }): Promise<Team> {
  const body = await requestJson(access, v1('/teams'), { method: 'POST', json: team });
  return z.object({ team: TeamSchema }).parse(body).team;
}

export async function updateTeam(access: ServerAccess, id: string, change: TeamFields): Promise<Team> {
  const body = await requestJson(access, v1(`/teams/${encodeURIComponent(id)}`), { method: 'PATCH', json: change });
  return z.object({ team: TeamSchema }).parse(body).team;
}

export async function deleteTeam(access: ServerAccess, id: string): Promise<void> {
  await requestJson(access, v1(`/teams/${encodeURIComponent(id)}`), { method: 'DELETE' });
}

export async function setTeamMembers(access: ServerAccess, id: string, agentIds: string[]): Promise<string[]> {
  const body = await requestJson(access, v1(`/teams/${encodeURIComponent(id)}/members`), {
    method: 'PUT',
    json: { agentIds },
  });
  return z.object({ agentIds: z.array(z.string()) }).parse(body).agentIds;
}

export async function setPresenceOverHttp(access: ServerAccess, presence: 'online' | 'away'): Promise<Agent> {
  const body = await requestJson(access, v1('/me/presence'), { method: 'PUT', json: { presence } });
  return z.object({ agent: AgentSchema }).parse(body).agent;
}

/** The daily rows between two days (YYYY-MM-DD, both included). */
export async function fetchDailyMetrics(
  access: ServerAccess,
  range: { from: string; to: string; teamId?: string },
): Promise<MetricsRow[]> {
  const body = await requestJson(access, v1(`/metrics/daily${query(range)}`));
  return z.object({ rows: z.array(MetricsRowSchema) }).parse(body).rows;
}

/** Where the same rows are downloaded as CSV. */
export function dailyMetricsCsvUrl(serverUrl: string, range: { from: string; to: string; teamId?: string }): string {
  return new URL(v1(`/metrics/daily.csv${query(range)}`), serverUrl).toString();
}

export async function fetchAgentsToday(access: ServerAccess, teamId?: string): Promise<AgentToday[]> {
  const body = await requestJson(access, v1(`/metrics/agents/today${query({ teamId })}`));
  return z.object({ agents: z.array(AgentTodaySchema) }).parse(body).agents;
}

export async function fetchTokens(access: ServerAccess): Promise<ApiToken[]> {
  const body = await requestJson(access, v1('/tokens'));
  return z.object({ tokens: z.array(ApiTokenSchema) }).parse(body).tokens;
}

export async function createToken(
  access: ServerAccess,
  token: { name: string; role: AgentRole },
): Promise<{ token: ApiToken; secret: string }> {
  const body = await requestJson(access, v1('/tokens'), { method: 'POST', json: token });
  return z.object({ token: ApiTokenSchema, secret: z.string().min(1) }).parse(body);
}

export async function revokeToken(access: ServerAccess, id: string): Promise<void> {
  await requestJson(access, v1(`/tokens/${encodeURIComponent(id)}`), { method: 'DELETE' });
}

/** The link an invited person opens to choose a password. */
export function inviteLink(serverUrl: string, token: string): string {
  const url = new URL('/', serverUrl);
  url.searchParams.set('invite', token);
  return url.toString();
}

/** The CSV of the daily rows, fetched with the caller's credentials (a Bearer token cannot ride on a link). */
export async function downloadDailyMetricsCsv(
  access: ServerAccess,
  range: { from: string; to: string; teamId?: string },
): Promise<Blob> {
  let response: Response;
  try {
    response = await send(access, v1(`/metrics/daily.csv${query(range)}`));
  } catch {
    throw new ApiError('unreachable');
  }
  if (!response.ok) {
    const refused = refusalOf(await readJson(response));
    if (refused === null) throw new ApiError('internal', 'server_error', { status: response.status });
    throw new ApiError(refused.code, refused.reason, refused.params);
  }
  return response.blob();
}
