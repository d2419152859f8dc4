import {
  ApiErrorSchema,
  LoginResponseSchema,
  ServerInfoSchema,
  type LoginResponse,
  type ServerInfo,
} from '@parley/protocol';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request(serverUrl: string, path: string, init: RequestInit = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, serverUrl), { ...init, credentials: 'include' });
  } catch {
    throw new ApiError('unreachable', 'unreachable');
  }
  if (response.status === 204) return null;
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = ApiErrorSchema.safeParse(body);
    throw new ApiError(
      error.success ? error.data.code : 'internal',
      error.success ? (error.data.message ?? '') : `The server answered ${response.status}.`,
    );
  }
  return body;
}

export async function fetchServerInfo(serverUrl: string): Promise<ServerInfo> {
  return ServerInfoSchema.parse(await request(serverUrl, '/api/info'));
}

export async function login(serverUrl: string, email: string, password: string): Promise<LoginResponse> {
  const body = await request(serverUrl, '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return LoginResponseSchema.parse(body);
}

export async function logout(serverUrl: string, token: string | null): Promise<void> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  await request(serverUrl, '/api/auth/logout', { method: 'POST', headers });
}
