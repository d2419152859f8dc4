import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, ServerUnreachable, requestJson, send } from '../../src/platform/http.js';

const serverUrl = 'http://127.0.0.1:9';

type Call = { url: string; init: RequestInit };

function answer(response: () => Response): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', (input: URL, init: RequestInit) => {
    calls.push({ url: input.href, init });
    return Promise.resolve(response());
  });
  return calls;
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the HTTP client', () => {
  it('sends credentials, the Bearer token and a JSON body, and answers the JSON', async () => {
    const calls = answer(() => json(200, { ok: true }));
    const body = await requestJson({ serverUrl, getToken: () => Promise.resolve('secret') }, '/api/x', {
      method: 'POST',
      json: { a: 1 },
    });
    expect(body).toEqual({ ok: true });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(`${serverUrl}/api/x`);
    expect(calls[0]?.init).toMatchObject({
      method: 'POST',
      credentials: 'include',
      body: '{"a":1}',
      headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
    });
  });

  it('answers null for no content, and sends no token when there is none', async () => {
    const calls = answer(() => new Response(null, { status: 204 }));
    expect(await requestJson({ serverUrl }, '/api/auth/logout', { method: 'POST' })).toBeNull();
    expect(calls[0]?.init.headers).toEqual({});
  });

  it("turns the server's refusal into an ApiError with its code, reason and params", async () => {
    answer(() => json(403, { ok: false, code: 'forbidden', reason: 'not_assignee', params: { assigneeName: 'Bo' } }));
    const error = await requestJson({ serverUrl }, '/api/x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'forbidden', reason: 'not_assignee', params: { assigneeName: 'Bo' } });
  });

  it('says which status came when the refusal is not in the protocol terms', async () => {
    answer(() => new Response('<html>', { status: 502 }));
    await expect(requestJson({ serverUrl }, '/api/x')).rejects.toMatchObject({
      code: 'internal',
      reason: 'server_error',
      params: { status: 502 },
    });
  });

  it('says unreachable when no answer comes, and lets an abort through', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('fetch failed')));
    await expect(requestJson({ serverUrl }, '/api/x')).rejects.toMatchObject({ code: 'unreachable' });
    await expect(send({ serverUrl }, '/api/x')).rejects.toBeInstanceOf(ServerUnreachable);
    const controller = new AbortController();
    controller.abort();
    const abort = new DOMException('aborted', 'AbortError');
    vi.stubGlobal('fetch', () => Promise.reject(abort));
    await expect(send({ serverUrl }, '/api/x', { signal: controller.signal })).rejects.toBe(abort);
  });
});
