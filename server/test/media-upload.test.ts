import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { signIn, startTestServer, type TestServer } from './helpers.js';
import {
  fakeFile,
  getMedia,
  makePng,
  mediaConfig,
  seedInboundMedia,
  sha256Hex,
  SIGNATURES,
  startFakeS3,
  startMetaFixture,
  S3_ACCESS_KEY,
  settled,
  upload,
  type FakeS3,
  type MetaFixture,
} from './media-fixtures.js';

/** POST /api/media: agents' attachments are checked against the destination's limits. */

const MB = 1024 * 1024;
const KB = 1024;

type Refusal = { code: string; reason?: string; params?: Record<string, unknown>; message?: string };

describe('uploads to local storage', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer(mediaConfig(null));
    ({ token } = await signIn(server));
  });

  afterAll(async () => {
    await server.cleanup();
  });

  async function refused(
    channel: string,
    bytes: Buffer,
    fileName: string,
    mimeType: string,
    extra: Record<string, string> = {},
  ): Promise<Refusal> {
    const response = await upload(server, token, { bytes, fileName, mimeType, fields: { channel, ...extra } });
    expect(response.status).toBe(400);
    return (await response.json()) as Refusal;
  }

  test('a PNG for WhatsApp is accepted, stored ready with a thumbnail, and answered with its metadata', async () => {
    const png = await makePng(600, 400);
    const response = await upload(server, token, {
      bytes: png,
      fileName: 'C:\\Users\\ana\\receipt.png',
      mimeType: 'image/png',
      fields: { channel: 'whatsapp' },
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { mediaId: string };
    expect(body).toEqual({
      mediaId: body.mediaId,
      kind: 'image',
      mimeType: 'image/png',
      size: png.length,
      fileName: 'receipt.png',
    });
    const row = await server.store.db
      .selectFrom('media')
      .selectAll()
      .where('id', '=', body.mediaId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'ready', source_kind: 'upload', sha256: sha256Hex(png) });
    expect(row.thumbnail_key).not.toBeNull();

    const forSend = await server.media.readForSend(body.mediaId, 'whatsapp');
    expect(forSend.bytes.equals(png)).toBe(true);
    expect(forSend).toMatchObject({ mimeType: 'image/png', kind: 'image', size: png.length, fileName: 'receipt.png' });
  });

  test('WhatsApp refuses an image over 5 MB, naming the limit', async () => {
    const body = await refused('whatsapp', fakeFile(SIGNATURES.png, 5 * MB + 200 * KB), 'big.png', 'image/png');
    expect(body.code).toBe('media_invalid');
    expect(body).toMatchObject({
      reason: 'media_too_large',
      params: { channel: 'whatsapp', kind: 'image', maxBytes: 5 * MB, size: 5 * MB + 200 * KB, animated: false },
    });
    expect(body.message).toBeUndefined();
  });

  test('WhatsApp takes WebP only as a sticker, up to 100 KB when static', async () => {
    const body = await refused('whatsapp', fakeFile(SIGNATURES.webp, 150 * KB), 'sticker.webp', 'image/webp');
    expect(body).toMatchObject({
      reason: 'media_too_large',
      params: { channel: 'whatsapp', kind: 'sticker', maxBytes: 100 * KB, size: 150 * KB, animated: false },
    });
    const small = await upload(server, token, {
      bytes: fakeFile(SIGNATURES.webp, 50 * KB),
      fileName: 'sticker.webp',
      mimeType: 'image/webp',
      fields: { channel: 'whatsapp' },
    });
    expect(small.status).toBe(201);
    expect(await small.json()).toMatchObject({ kind: 'sticker', mimeType: 'image/webp' });
  });

  test('the bytes decide the type, not what the browser declared', async () => {
    // A PDF declared as a JPEG is still a PDF: WhatsApp takes it as a document, not an image.
    const body = await refused('whatsapp', fakeFile(SIGNATURES.pdf, 3 * KB), 'scan.jpg', 'image/jpeg', {
      kind: 'image',
    });
    expect(body).toMatchObject({
      reason: 'media_kind_mismatch',
      params: { mimeType: 'application/pdf', kind: 'image' },
    });
  });

  test('Instagram takes a PDF up to 25 MB but no other document, and no stickers', async () => {
    const pdf = await upload(server, token, {
      bytes: fakeFile(SIGNATURES.pdf, 20 * KB),
      fileName: 'menu.pdf',
      mimeType: 'application/pdf',
      fields: { channel: 'instagram' },
    });
    expect(pdf.status).toBe(201);
    expect(await pdf.json()).toMatchObject({ kind: 'document', mimeType: 'application/pdf', fileName: 'menu.pdf' });

    const docx = await refused(
      'instagram',
      fakeFile(SIGNATURES.zip, 4 * KB),
      'offer.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(docx).toMatchObject({
      reason: 'media_format_unsupported',
      params: {
        channel: 'instagram',
        kind: 'document',
        mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        formats: 'PDF',
      },
    });
    const sticker = await refused('instagram', fakeFile(SIGNATURES.webp, 2 * KB), 's.webp', 'image/webp', {
      kind: 'sticker',
    });
    expect(sticker).toMatchObject({
      reason: 'media_kind_unsupported',
      params: { channel: 'instagram', kind: 'sticker' },
    });
  });

  test('Instagram and Messenger refuse images over 8 MB', async () => {
    const big = fakeFile(SIGNATURES.png, 8 * MB + 100 * KB);
    const instagram = await refused('instagram', big, 'big.png', 'image/png');
    expect(instagram).toMatchObject({
      reason: 'media_too_large',
      params: { channel: 'instagram', kind: 'image', maxBytes: 8 * MB, size: 8 * MB + 100 * KB },
    });
    const messenger = await refused('messenger', big, 'big.png', 'image/png');
    expect(messenger).toMatchObject({
      reason: 'media_too_large',
      params: { channel: 'messenger', kind: 'image', maxBytes: 8 * MB, size: 8 * MB + 100 * KB },
    });
  });

  test('a conversation id decides the platform', async () => {
    const seeded = await seedInboundMedia(server, {
      channel: 'instagram',
      kind: 'image',
      source: { kind: 'url', url: null },
    });
    const response = await upload(server, token, {
      bytes: fakeFile(SIGNATURES.mp3, 4 * KB),
      fileName: 'voice.mp3',
      mimeType: 'audio/mpeg',
      fields: { conversationId: seeded.conversationId },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: 'media_invalid',
      reason: 'media_format_unsupported',
      params: { channel: 'instagram', kind: 'audio', mimeType: 'audio/mpeg', formats: 'AAC, M4A/MP4, WAV' },
    });
    const unknown = await upload(server, token, {
      bytes: fakeFile(SIGNATURES.mp3, 4 * KB),
      fileName: 'voice.mp3',
      mimeType: 'audio/mpeg',
      fields: { conversationId: 'no-such-conversation' },
    });
    expect(unknown.status).toBe(404);
  });

  test('an upload needs a session, a destination and a file', async () => {
    const bytes = fakeFile(SIGNATURES.pdf, KB);
    const anonymous = await upload(server, null, {
      bytes,
      fileName: 'a.pdf',
      mimeType: 'application/pdf',
      fields: { channel: 'whatsapp' },
    });
    expect(anonymous.status).toBe(401);
    const nowhere = await upload(server, token, { bytes, fileName: 'a.pdf', mimeType: 'application/pdf', fields: {} });
    expect(nowhere.status).toBe(400);
    expect(await nowhere.json()).toMatchObject({ reason: 'upload_destination_missing', params: { fields: '' } });
    const notMultipart = await fetch(new URL('/api/media', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(notMultipart.status).toBe(400);
    // Nothing refused is left in the scratch folder.
    expect(fs.readdirSync(path.join(server.dataDir, 'media', 'tmp'))).toEqual([]);
  });

  test('readForSend re-checks the limits of the channel it is sent to', async () => {
    const response = await upload(server, token, {
      bytes: fakeFile('plain words\n', 2 * KB),
      fileName: 'notes.txt',
      mimeType: 'text/plain',
      fields: { channel: 'whatsapp' },
    });
    expect(response.status).toBe(201);
    const { mediaId } = (await response.json()) as { mediaId: string };
    await expect(server.media.readForSend(mediaId, 'instagram')).rejects.toMatchObject({
      refusal: {
        reason: 'media_format_unsupported',
        params: { channel: 'instagram', kind: 'document', mimeType: 'text/plain', formats: 'PDF' },
      },
    });
    await expect(server.media.readForSend('no-such-media', 'whatsapp')).rejects.toMatchObject({
      refusal: { reason: 'media_missing' },
    });
  });
});

describe('S3-compatible storage', () => {
  let s3: FakeS3;
  let meta: MetaFixture;
  let server: TestServer | null = null;

  beforeAll(async () => {
    [s3, meta] = await Promise.all([startFakeS3(), startMetaFixture()]);
  });

  afterEach(async () => {
    await server?.cleanup();
    server = null;
  });

  afterAll(async () => {
    await Promise.all([s3.close(), meta.close()]);
  });

  test('uploads and inbound copies go to the bucket, path-style and signed, and are served from it', async () => {
    const base = mediaConfig(meta);
    const dataDir = base.dataDir ?? '';
    server = await startTestServer({
      ...base,
      media: {
        dir: path.join(dataDir, 'media'),
        s3: {
          endpoint: s3.url,
          bucket: 'parley-media',
          region: 'eu-west-3',
          accessKeyId: S3_ACCESS_KEY,
          secretAccessKey: 'test-secret',
          forcePathStyle: true,
        },
      },
    });
    const { token } = await signIn(server);
    const png = await makePng(500, 500);
    const response = await upload(server, token, {
      bytes: png,
      fileName: 'p.png',
      mimeType: 'image/png',
      fields: { channel: 'messenger' },
    });
    expect(response.status).toBe(201);
    const { mediaId } = (await response.json()) as { mediaId: string };

    const hash = sha256Hex(png);
    const object = s3.objects.get(`/parley-media/objects/${hash.slice(0, 2)}/${hash}`);
    expect(object?.bytes.equals(png)).toBe(true);
    expect(object?.contentType).toBe('image/png');
    expect(s3.objects.has(`/parley-media/thumbnails/${hash.slice(0, 2)}/${hash}-320.webp`)).toBe(true);
    const put = s3.requests.find((r) => r.method === 'PUT' && r.path.includes(hash));
    expect(put?.headers.authorization).toContain('/eu-west-3/s3/aws4_request');
    // Nothing was kept on the local disk but the (empty) scratch folder.
    expect(fs.readdirSync(path.join(dataDir, 'media'))).toEqual(['tmp']);

    const whole = await getMedia(server, mediaId, { token });
    expect(Buffer.from(await whole.arrayBuffer()).equals(png)).toBe(true);
    const part = await getMedia(server, mediaId, { token, headers: { range: 'bytes=0-7' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(png.subarray(0, 8))).toBe(true);
    const thumbnail = await getMedia(server, mediaId, { token, thumbnail: true });
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');

    const forSend = await server.media.readForSend(mediaId, 'messenger');
    expect(forSend.bytes.equals(png)).toBe(true);

    // An inbound copy lands in the bucket too.
    const audio = fakeFile(SIGNATURES.mp3, 3 * KB);
    const seeded = await seedInboundMedia(server, {
      channel: 'messenger',
      kind: 'audio',
      source: { kind: 'url', url: meta.cdn('s3-audio.mp3', audio) },
    });
    expect((await settled(server, seeded.mediaId)).status).toBe('ready');
    expect(s3.objects.has(`/parley-media/objects/${sha256Hex(audio).slice(0, 2)}/${sha256Hex(audio)}`)).toBe(true);
  });
});
