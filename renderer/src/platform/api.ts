import { LoginResponseSchema, ServerInfoSchema, type LoginResponse, type ServerInfo } from '@parley/protocol';
import { requestJson } from './http.js';

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
