import { LoginResponseSchema, type LoginResponse } from '@parley/protocol';
import { requestJson } from '../../platform/http.js';

/** The invite token of a link `…?invite=<token>`, or null. */
export function inviteFromLocation(search: string): string | null {
  const token = new URLSearchParams(search).get('invite');
  return token === null || token.trim() === '' ? null : token.trim();
}

/** Sets the password an invite's person chose; answers a sign-in, like the login. */
export async function acceptInvite(serverUrl: string, token: string, password: string): Promise<LoginResponse> {
  const body = await requestJson({ serverUrl }, '/api/auth/invite/accept', {
    method: 'POST',
    json: { token, password },
  });
  return LoginResponseSchema.parse(body);
}
