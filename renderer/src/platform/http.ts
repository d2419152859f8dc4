import { ApiErrorSchema } from '@parley/protocol';

/**
 * The one way the renderer talks HTTP to the server. It knows where the server is and how
 * to prove who asks: a browser is signed in by its HttpOnly cookie (sent with every
 * request), the desktop app by its Bearer token.
 */
export type ServerAccess = {
  serverUrl: string;
  getToken?: () => Promise<string | null>;
};

/** A refusal in the server's terms (`ApiError` of the protocol), or `unreachable`. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
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

/** Sends one request with credentials and answers the response as it came, whatever its status. */
export async function send(access: ServerAccess, path: string, options: RequestOptions = {}): Promise<Response> {
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

/** The server's refusal in a body, when it sent one in the protocol's terms. */
export function refusalOf(body: unknown): { code: string; message: string } | null {
  const error = ApiErrorSchema.safeParse(body);
  return error.success ? { code: error.data.code, message: error.data.message ?? '' } : null;
}

/**
 * JSON in, JSON out: the body of a successful answer (null for 204), or an ApiError with
 * the server's code and message (`unreachable` when no answer came).
 */
export async function requestJson(access: ServerAccess, path: string, options: RequestOptions = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await send(access, path, options);
  } catch (error) {
    if (error instanceof ServerUnreachable) throw new ApiError('unreachable', 'unreachable');
    throw error;
  }
  if (response.status === 204) return null;
  const body = await readJson(response);
  if (!response.ok) {
    const refusal = refusalOf(body);
    throw new ApiError(refusal?.code ?? 'internal', refusal?.message ?? `The server answered ${response.status}.`);
  }
  return body;
}
