import { ApiErrorSchema, type FailureParams, type FailureReason } from '@parley/protocol';

/**
 * The one way the renderer talks HTTP to the server. It knows where the server is and how
 * to prove who asks: a browser is signed in by its HttpOnly cookie (sent with every
 * request), the desktop app by its Bearer token.
 */
export type ServerAccess = {
  serverUrl: string;
  getToken?: () => Promise<string | null>;
};

/** What the server refused, in codes: the features word it (`failureText`). */
export type Refusal = { code: string; reason?: FailureReason; params?: FailureParams };

/**
 * A refusal in the server's terms (`ApiError` of the protocol), or `unreachable`. It carries
 * codes, not words: the feature that shows it words it in the agent's language.
 */
export class ApiError extends Error {
  readonly reason: FailureReason | undefined;
  readonly params: FailureParams | undefined;

  constructor(
    readonly code: string,
    reason?: FailureReason,
    params?: FailureParams,
  ) {
    super(reason === undefined ? code : `${code}: ${reason}`);
    this.reason = reason;
    this.params = params;
  }
}

/** No answer came: the network or the server is down. An aborted request throws its abort instead. */
export class ServerUnreachable extends Error {
  constructor() {
    super('unreachable');
  }
}

export type RequestOptions = {
  method?: string;
  /** Sent as a JSON body, with its content type. */
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

export async function authHeaders(access: ServerAccess): Promise<Record<string, string>> {
  const token = access.getToken === undefined ? null : await access.getToken();
  return token === null ? {} : { authorization: `Bearer ${token}` };
}

/**
 * Renewing a session. An access token lives minutes; when the server answers 401
 * `session_ended`, the client gets a new one with its refresh token and tries once more.
 * A browser's refresh token is an HttpOnly cookie sent only to /api/auth, so the default
 * renewal is a bare POST; the desktop app registers its own (its tokens are in the keychain).
 */
export type SessionRefresher = () => Promise<boolean>;

const refreshers = new Map<string, SessionRefresher>();
const refreshing = new Map<string, Promise<boolean>>();

export function setSessionRefresher(serverUrl: string, refresher: SessionRefresher): void {
  refreshers.set(serverUrl, refresher);
}

/**
 * Tabs of one browser share the cookies, so two refreshing at once would present the same
 * refresh token twice, which the server takes for a stolen copy and ends the session. A
 * Web Lock makes them take turns: the second sends the cookie the first just received.
 */
async function cookieRefresh(serverUrl: string): Promise<boolean> {
  const refresh = async (): Promise<boolean> => {
    const response = await fetch(new URL('/api/auth/refresh', serverUrl), { method: 'POST', credentials: 'include' });
    return response.ok;
  };
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  return locks === undefined ? refresh() : locks.request('parley-session-refresh', refresh);
}

/**
 * Renews the session; true when a new access token is in place. Callers at the same time
 * share one request: a refresh token works once, and a second use would end the session.
 */
export function refreshSession(serverUrl: string): Promise<boolean> {
  const running = refreshing.get(serverUrl);
  if (running !== undefined) return running;
  const refresher = refreshers.get(serverUrl) ?? (() => cookieRefresh(serverUrl));
  const run = refresher()
    .catch(() => false)
    .finally(() => refreshing.delete(serverUrl));
  refreshing.set(serverUrl, run);
  return run;
}

/** Whether a 401 says the access token ran out (rather than no session at all). */
async function sessionEnded(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  const refusal = refusalOf(await readJson(response.clone()));
  return refusal?.reason === 'session_ended';
}

/**
 * Sends one request with credentials and answers the response as it came, whatever its
 * status; when the access token has run out it renews the session once and sends again.
 */
export async function send(access: ServerAccess, path: string, options: RequestOptions = {}): Promise<Response> {
  const response = await sendOnce(access, path, options);
  if (path.startsWith('/api/auth/') || !(await sessionEnded(response))) return response;
  if (!(await refreshSession(access.serverUrl))) return response;
  return sendOnce(access, path, options);
}

async function sendOnce(access: ServerAccess, path: string, options: RequestOptions): Promise<Response> {
  const headers = { ...(await authHeaders(access)), ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  try {
    return await fetch(new URL(path, access.serverUrl), {
      method: options.method,
      headers,
      body,
      credentials: 'include',
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted === true) throw error;
    throw new ServerUnreachable();
  }
}

/** The response's JSON body, or null when it has none or it is not JSON. */
export function readJson(response: Response): Promise<unknown> {
  return response.json().catch(() => null);
}

/** The server's refusal in a body, when it sent one in the protocol's terms (its words, if any, are left). */
export function refusalOf(body: unknown): Refusal | null {
  const error = ApiErrorSchema.safeParse(body);
  if (!error.success) return null;
  const { code, reason, params } = error.data;
  return { code, ...(reason === undefined ? {} : { reason }), ...(params === undefined ? {} : { params }) };
}

/**
 * JSON in, JSON out: the body of a successful answer (null for 204), or an ApiError with
 * the server's code, reason and params (`unreachable` when no answer came).
 */
export async function requestJson(access: ServerAccess, path: string, options: RequestOptions = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await send(access, path, options);
  } catch (error) {
    if (error instanceof ServerUnreachable) throw new ApiError('unreachable');
    throw error;
  }
  if (response.status === 204) return null;
  const body = await readJson(response);
  if (!response.ok) {
    const refusal = refusalOf(body);
    // A refusal outside the protocol's terms: its status says which request failed.
    if (refusal === null) throw new ApiError('internal', 'server_error', { status: response.status });
    throw new ApiError(refusal.code, refusal.reason, refusal.params);
  }
  return body;
}
