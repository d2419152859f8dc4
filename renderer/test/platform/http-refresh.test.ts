import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, refreshSession, requestJson, setSessionRefresher } from '../../src/platform/http.js';
import { packTokens, unpackTokens } from '../../src/platform/session.js';

type Call = { url: string; init: RequestInit };

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const ended = (): Response => json(401, { code: 'unauthorized', reason: 'session_ended' });

/** A fake server answering each call with the next response of the script. */
function script(...responses: (() => Response)[]): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', (input: URL, init: RequestInit) => {
    calls.push({ url: input.href, init });
    const next = responses.shift();
    if (next === undefined) throw new Error(`unexpected request to ${input.href}`);
    return Promise.resolve(next());
  });
  return calls;
}

let port = 40_000;
/** Each test its own server address: refreshers are kept per server. */
const newServer = (): string => `http://127.0.0.1:${(port += 1)}`;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('renewing the session on 401 session_ended', () => {
  it('a browser refreshes by cookie once, then sends the request again', async () => {
    const serverUrl = newServer();
    const calls = script(
      ended,
      () => json(200, { token: 'x' }),
      () => json(200, { conversations: [] }),
    );
    const body = await requestJson({ serverUrl }, '/api/v1/conversations');
    expect(body).toEqual({ conversations: [] });
    expect(calls.map((call) => new URL(call.url).pathname)).toEqual([
      '/api/v1/conversations',
      '/api/auth/refresh',
      '/api/v1/conversations',
    ]);
    // The refresh token is an HttpOnly cookie: the request carries cookies and no body.
    expect(calls[1]?.init).toMatchObject({ method: 'POST', credentials: 'include' });
    expect(calls[1]?.init.body).toBeUndefined();
  });

  it('tabs of one browser take turns refreshing, under one Web Lock', async () => {
    const serverUrl = newServer();
    const names: string[] = [];
    vi.stubGlobal('navigator', {
      locks: {
        request: (name: string, work: () => Promise<boolean>) => {
          names.push(name);
          return work();
        },
      },
    });
    const calls = script(() => json(200, { token: 'x' }));
    expect(await refreshSession(serverUrl)).toBe(true);
    expect(names).toEqual(['parley-session-refresh']);
    expect(calls).toHaveLength(1);
  });

  it('the desktop retries with the token its refresher stored', async () => {
    const serverUrl = newServer();
    let token = 'old-access';
    const refresher = vi.fn(() => {
      token = 'new-access';
      return Promise.resolve(true);
    });
    setSessionRefresher(serverUrl, refresher);
    const calls = script(ended, () => json(200, { ok: 1 }));
    const body = await requestJson({ serverUrl, getToken: () => Promise.resolve(token) }, '/api/v1/me');
    expect(body).toEqual({ ok: 1 });
    expect(refresher).toHaveBeenCalledTimes(1);
    expect(calls.map((call) => (call.init.headers as Record<string, string>).authorization)).toEqual([
      'Bearer old-access',
      'Bearer new-access',
    ]);
  });

  it('only once: a second session_ended is the answer', async () => {
    const serverUrl = newServer();
    const refresher = vi.fn(() => Promise.resolve(true));
    setSessionRefresher(serverUrl, refresher);
    const calls = script(ended, ended);
    await expect(requestJson({ serverUrl }, '/api/v1/me')).rejects.toMatchObject({
      code: 'unauthorized',
      reason: 'session_ended',
    });
    expect(calls).toHaveLength(2);
    expect(refresher).toHaveBeenCalledTimes(1);
  });

  it('a refused refresh leaves the 401 as the answer, with no second try', async () => {
    const serverUrl = newServer();
    const calls = script(ended, () => json(401, { code: 'unauthorized', reason: 'refresh_invalid' }));
    const error = await requestJson({ serverUrl }, '/api/v1/me').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ reason: 'session_ended' });
    expect(calls).toHaveLength(2);
  });

  it('other refusals are not refreshed', async () => {
    const serverUrl = newServer();
    const refresher = vi.fn(() => Promise.resolve(true));
    setSessionRefresher(serverUrl, refresher);
    script(() => json(401, { code: 'unauthorized', reason: 'session_missing' }));
    await expect(requestJson({ serverUrl }, '/api/v1/me')).rejects.toMatchObject({ reason: 'session_missing' });
    script(() => json(403, { code: 'forbidden', reason: 'admin_only' }));
    await expect(requestJson({ serverUrl }, '/api/v1/users')).rejects.toMatchObject({ reason: 'admin_only' });
    // A sign-in route answering session_ended is never renewed (it is the renewal).
    script(ended);
    await expect(requestJson({ serverUrl }, '/api/auth/me')).rejects.toMatchObject({ reason: 'session_ended' });
    expect(refresher).not.toHaveBeenCalled();
  });

  it('requests refused at the same time share one refresh (a refresh token works once)', async () => {
    const serverUrl = newServer();
    let release: (renewed: boolean) => void = () => undefined;
    const refresher = vi.fn(() => new Promise<boolean>((resolve) => (release = resolve)));
    setSessionRefresher(serverUrl, refresher);
    const first = refreshSession(serverUrl);
    const second = refreshSession(serverUrl);
    release(true);
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(refresher).toHaveBeenCalledTimes(1);
    // Once done, the next refresh is a new one.
    const third = refreshSession(serverUrl);
    release(false);
    expect(await third).toBe(false);
    expect(refresher).toHaveBeenCalledTimes(2);
  });
});

describe('the desktop keychain entry', () => {
  it('keeps both tokens, and reads an older access-only entry', () => {
    const packed = packTokens({ access: 'a1', refresh: 'fam.r1' });
    expect(unpackTokens(packed)).toEqual({ access: 'a1', refresh: 'fam.r1' });
    expect(unpackTokens('legacy-token')).toEqual({ access: 'legacy-token', refresh: null });
    expect(unpackTokens(null)).toBeNull();
    expect(unpackTokens('{not json')).toBeNull();
    expect(unpackTokens('{"r":"x"}')).toBeNull();
  });
});
