import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LoginRequestSchema, SESSION_COOKIE, type LoginResponse } from '@parley/protocol';
import { sendApiError } from './errors.js';
import { tokenHash, type Agents } from '../../modules/agents/index.js';

export type AuthOptions = {
  agents: Agents;
  sessionDays: number;
  secureCookies: boolean;
  /** Called after a session is deleted, to close its live connections. */
  onSessionEnded: (tokenHash: string) => void;
};

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ') === true) return header.slice('Bearer '.length);
  return request.cookies[SESSION_COOKIE];
}

export function authRoutes(app: FastifyInstance, options: AuthOptions, done: () => void): void {
  app.post('/api/auth/login', async (request, reply) => {
    const input = LoginRequestSchema.safeParse(request.body);
    if (!input.success) {
      const field = input.error.issues[0]?.path[0];
      return sendApiError(reply, 400, 'bad_request', field === 'password' ? 'password_missing' : 'email_invalid', {
        field: typeof field === 'string' ? field : 'email',
      });
    }
    const session = await options.agents.login(input.data.email, input.data.password);
    if (session === null) {
      return sendApiError(reply, 401, 'unauthorized', 'bad_credentials');
    }
    // Browsers keep the session in an HttpOnly cookie that page scripts cannot read; the
    // desktop app keeps the returned token in the operating system's keychain.
    void reply.setCookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: options.secureCookies,
      path: '/',
      maxAge: options.sessionDays * 24 * 60 * 60,
    });
    const response: LoginResponse = session;
    return reply.send(response);
  });

  app.post('/api/auth/logout', async (request, reply) => {
    const token = bearerToken(request);
    if (token !== undefined) {
      await options.agents.logout(token);
      options.onSessionEnded(tokenHash(token));
    }
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/auth/me', async (request, reply) => {
    const token = bearerToken(request);
    const agent = token === undefined ? null : await options.agents.agentForToken(token);
    if (agent === null) return sendApiError(reply, 401, 'unauthorized', 'session_missing');
    return reply.send({ agent });
  });
  done();
}
