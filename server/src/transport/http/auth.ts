import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  InviteAcceptRequestSchema,
  LoginRequestSchema,
  REFRESH_COOKIE,
  RefreshRequestSchema,
  SESSION_COOKIE,
  type Failure,
  type LoginResponse,
} from '@parley/protocol';
import { sendApiError } from './errors.js';
import type { Agents, SessionKey, SignedIn } from '../../modules/agents/index.js';

export type AuthOptions = {
  agents: Agents;
  sessionDays: number;
  secureCookies: boolean;
  /** Called after a session is revoked, to close its live connections. */
  onSessionEnded: (key: SessionKey) => void;
};

/** Where the refresh cookie is sent: only to the sign-in routes, never with other requests. */
const REFRESH_PATH = '/api/auth';

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ') === true) return header.slice('Bearer '.length);
  return request.cookies[SESSION_COOKIE];
}

function clientOf(request: FastifyRequest): string | null {
  const agent = request.headers['user-agent'];
  return typeof agent === 'string' ? agent.slice(0, 200) : null;
}

function statusOfFailure(failure: Failure): number {
  if (failure.reason === 'login_throttled') return 429;
  if (failure.code === 'bad_request') return 400;
  return 401;
}

export function authRoutes(app: FastifyInstance, options: AuthOptions, done: () => void): void {
  const cookieBase = { httpOnly: true, sameSite: 'strict', secure: options.secureCookies } as const;
  const maxAge = options.sessionDays * 24 * 60 * 60;

  /**
   * Browsers keep both tokens in HttpOnly cookies that page scripts cannot read: the access
   * token for every request (it lives as long as the sign-in, and the server refuses it
   * once its short life is over), the refresh token only for /api/auth. The desktop app
   * keeps the returned tokens in the operating system's keychain.
   */
  const signedIn = (reply: FastifyReply, result: SignedIn): FastifyReply => {
    void reply.setCookie(SESSION_COOKIE, result.session.token, { ...cookieBase, path: '/', maxAge });
    void reply.setCookie(REFRESH_COOKIE, result.session.refreshToken, { ...cookieBase, path: REFRESH_PATH, maxAge });
    const response: LoginResponse = {
      token: result.session.token,
      refreshToken: result.session.refreshToken,
      accessExpiresAt: result.session.accessExpiresAt,
      agent: result.agent,
    };
    return reply.send(response);
  };

  const clearCookies = (reply: FastifyReply): void => {
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    void reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_PATH });
  };

  const refused = (reply: FastifyReply, failure: Failure): FastifyReply => {
    const retry = failure.params?.retryAfterSeconds;
    if (typeof retry === 'number') void reply.header('retry-after', String(retry));
    return sendApiError(reply, statusOfFailure(failure), failure.code, failure.reason, failure.params);
  };

  app.post('/api/auth/login', async (request, reply) => {
    const input = LoginRequestSchema.safeParse(request.body);
    if (!input.success) {
      const field = input.error.issues[0]?.path[0];
      return sendApiError(reply, 400, 'bad_request', field === 'password' ? 'password_missing' : 'email_invalid', {
        field: typeof field === 'string' ? field : 'email',
      });
    }
    const result = await options.agents.signIn(input.data.email, input.data.password, request.ip, clientOf(request));
    if (!result.ok) return refused(reply, result);
    return signedIn(reply, result);
  });

  app.post('/api/auth/refresh', async (request, reply) => {
    const input = RefreshRequestSchema.safeParse(request.body ?? {});
    if (!input.success) return sendApiError(reply, 400, 'bad_request', 'malformed', { request: 'refresh' });
    const token = input.data.refreshToken ?? request.cookies[REFRESH_COOKIE];
    if (token === undefined || token === '') {
      return sendApiError(reply, 401, 'unauthorized', 'refresh_invalid');
    }
    const result = await options.agents.refresh(token);
    if (!result.ok) {
      if (result.endedKey !== null) options.onSessionEnded(result.endedKey);
      clearCookies(reply);
      return sendApiError(reply, 401, result.code, result.reason);
    }
    return signedIn(reply, result);
  });

  app.post('/api/auth/invite/accept', async (request, reply) => {
    const input = InviteAcceptRequestSchema.safeParse(request.body);
    if (!input.success) {
      const path = input.error.issues[0]?.path.map(String).join('.') ?? '';
      return sendApiError(reply, 400, 'bad_request', 'malformed', { request: 'invite', path });
    }
    const result = await options.agents.acceptInvite(input.data.token, input.data.password, clientOf(request));
    if (!result.ok) return refused(reply, result);
    return signedIn(reply, result);
  });

  app.post('/api/auth/logout', async (request, reply) => {
    const body = RefreshRequestSchema.safeParse(request.body ?? {});
    const access = bearerToken(request);
    const refresh = (body.success ? body.data.refreshToken : undefined) ?? request.cookies[REFRESH_COOKIE];
    const ended = await options.agents.logout({
      ...(access === undefined || access === '' ? {} : { access }),
      ...(refresh === undefined || refresh === '' ? {} : { refresh }),
    });
    for (const key of ended) options.onSessionEnded(key);
    clearCookies(reply);
    return reply.code(204).send();
  });

  app.get('/api/auth/me', async (request, reply) => {
    const token = bearerToken(request);
    const agent = token === undefined ? null : await options.agents.agentForToken(token);
    if (agent === null) {
      return sendApiError(reply, 401, 'unauthorized', token === undefined ? 'session_missing' : 'session_ended');
    }
    return reply.send({ agent });
  });
  done();
}
