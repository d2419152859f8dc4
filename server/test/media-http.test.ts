import { SESSION_COOKIE } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { login, AGENT, signIn, startTestServer, type TestServer } from './helpers.js';
import { fakeFile, getMedia, makePng, mediaConfig, SIGNATURES, upload } from './media-fixtures.js';
import { newId } from '../src/platform/ids.js';

/** GET /api/media/:id: who may read, and how the bytes are served (types, caching, ranges). */

let server: TestServer;
let token: string;
let audioId: string;
let audio: Buffer;
let pdfId: string;
let pngId: string;

beforeAll(async () => {
  server = await startTestServer(mediaConfig(null));
  ({ token } = await signIn(server));
  audio = fakeFile(SIGNATURES.mp3, 10_000);
  for (let i = 16; i < audio.length; i++) audio[i] = i % 251;
  const uploads = await Promise.all([
    upload(server, token, {
      bytes: audio,
      fileName: 'note.mp3',
      mimeType: 'audio/mpeg',
      fields: { channel: 'whatsapp' },
    }),
    upload(server, token, {
      bytes: fakeFile(SIGNATURES.pdf, 2_000),
      fileName: 'Facture n°42.pdf',
      mimeType: 'application/pdf',
      fields: { channel: 'whatsapp' },
    }),
    upload(server, token, {
      bytes: await makePng(400, 400),
      fileName: 'photo.png',
      mimeType: 'image/png',
      fields: { channel: 'whatsapp' },
    }),
  ]);
  const ids: string[] = [];
  for (const response of uploads) {
    if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
    ids.push(((await response.json()) as { mediaId: string }).mediaId);
  }
  [audioId = '', pdfId = '', pngId = ''] = ids;
});

afterAll(async () => {
  await server.cleanup();
});

describe('who may read a file', () => {
  test('nobody without a session; a bad token is refused too', async () => {
    const anonymous = await getMedia(server, audioId);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'unauthorized' });
    const forged = await getMedia(server, audioId, { token: 'not-a-session' });
    expect(forged.status).toBe(401);
  });

  test('a signed-in agent, with the Bearer token or with the session cookie', async () => {
    expect((await getMedia(server, audioId, { token })).status).toBe(200);
    const response = await login(server, { email: AGENT.email, password: AGENT.password });
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    const withCookie = await getMedia(server, audioId, { headers: { cookie } });
    expect(withCookie.status).toBe(200);
  });

  test('an unknown id is 404, and a file still being copied is 503 with words', async () => {
    const unknown = await getMedia(server, newId(), { token });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'not_found' });

    // An upload row that never finished is left alone by the worker: it stays pending. It is
    // this agent's upload, so theirs to read.
    const pendingId = newId();
    const uploader = await server.store.db
      .selectFrom('agents')
      .select('id')
      .where('email', '=', AGENT.email)
      .executeTakeFirstOrThrow();
    await server.store.db
      .insertInto('media')
      .values({
        id: pendingId,
        channel_account_id: null,
        kind: 'image',
        status: 'pending',
        mime_type: null,
        file_name: null,
        size: null,
        sha256: null,
        source_kind: 'upload',
        source_ref: uploader.id,
        storage_key: null,
        thumbnail_key: null,
        error: null,
        attempts: 0,
        created_at: Date.now(),
        updated_at: Date.now(),
      })
      .execute();
    const pending = await getMedia(server, pendingId, { token });
    expect(pending.status).toBe(503);
    expect(pending.headers.get('retry-after')).toBe('2');
    const body = (await pending.json()) as { code: string; reason?: string };
    expect(body).toEqual({ code: 'media_pending', reason: 'media_pending' });
  });
});

describe('how a file is served', () => {
  test('whole, with its type, length, validator, long private caching and nosniff', async () => {
    const response = await getMedia(server, audioId, { token });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    expect(response.headers.get('content-length')).toBe(String(audio.length));
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(response.headers.get('cache-control')).toContain('private');
    expect(Buffer.from(await response.arrayBuffer()).equals(audio)).toBe(true);

    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await getMedia(server, audioId, { token, headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
  });

  test('HEAD answers the headers alone', async () => {
    const response = await fetch(new URL(`/api/media/${audioId}`, server.url), {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(audio.length));
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  test('a byte range is answered 206 with Content-Range', async () => {
    const first = await getMedia(server, audioId, { token, headers: { range: 'bytes=100-199' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 100-199/${audio.length}`);
    expect(first.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await first.arrayBuffer()).equals(audio.subarray(100, 200))).toBe(true);

    const open = await getMedia(server, audioId, { token, headers: { range: `bytes=${audio.length - 10}-` } });
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer()).equals(audio.subarray(audio.length - 10))).toBe(true);

    const suffix = await getMedia(server, audioId, { token, headers: { range: 'bytes=-5' } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe(`bytes ${audio.length - 5}-${audio.length - 1}/${audio.length}`);
    expect(Buffer.from(await suffix.arrayBuffer()).equals(audio.subarray(audio.length - 5))).toBe(true);
  });

  test('a range past the end is 416 with the size in Content-Range', async () => {
    const response = await getMedia(server, audioId, { token, headers: { range: `bytes=${audio.length}-` } });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${audio.length}`);
    expect(await response.json()).toMatchObject({ code: 'bad_request' });
  });

  test('a document is offered as a download under its own name', async () => {
    const response = await getMedia(server, pdfId, { token });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const disposition = response.headers.get('content-disposition') ?? '';
    expect(disposition.startsWith('attachment;')).toBe(true);
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('Facture n°42.pdf')}`);
    expect(response.headers.get('content-security-policy')).toContain('sandbox');
  });

  test('an image has a WebP thumbnail; a file without one says so', async () => {
    const thumbnail = await getMedia(server, pngId, { token, thumbnail: true });
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    const bytes = Buffer.from(await thumbnail.arrayBuffer());
    expect(bytes.subarray(8, 12).toString('latin1')).toBe('WEBP');
    const image = await getMedia(server, pngId, { token });
    expect(image.headers.get('content-disposition')).toMatch(/^inline/);

    const none = await getMedia(server, audioId, { token, thumbnail: true });
    expect(none.status).toBe(404);
  });

  test('the desktop origin may read files across origins', async () => {
    const response = await getMedia(server, pngId, { token, headers: { origin: 'app://parley' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('app://parley');
    const foreign = await getMedia(server, pngId, { token, headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(new URL(`/api/media/${pngId}`, server.url), {
      method: 'OPTIONS',
      headers: {
        origin: 'app://parley',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization, range',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('app://parley');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });
});
