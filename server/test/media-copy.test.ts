import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { MEDIA_USER_AGENT } from '../src/testing.js';
import {
  connectReady,
  deliver,
  signIn,
  startTestServer,
  whatsappMessage,
  whatsappValue,
  whatsappWebhook,
  type TestServer,
} from './helpers.js';
import {
  GRAPH_VERSION,
  WHATSAPP_TOKEN,
  getMedia,
  makeJpeg,
  makePng,
  mediaConfig,
  mediaRow,
  messageAttachments,
  seedInboundMedia,
  settled,
  sha256Hex,
  startMetaFixture,
  type MetaFixture,
} from './media-fixtures.js';

/**
 * The copy worker against a local stand-in for Meta: WhatsApp's id → URL → download with
 * the token and a User-Agent, Messenger's and Instagram's CDN links, retries, expiry,
 * checksums, thumbnails, and the attachment change reaching a connected client.
 */

let meta: MetaFixture;
const servers: TestServer[] = [];

beforeAll(async () => {
  meta = await startMetaFixture();
});

afterAll(async () => {
  await meta.close();
});

afterEach(async () => {
  for (const server of servers.splice(0)) await server.cleanup();
});

async function start(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer(mediaConfig(meta, overrides));
  servers.push(server);
  return server;
}

let counter = 0;
const uniqueId = (prefix: string): string => `${prefix}-${Date.now()}-${++counter}`;

describe('WhatsApp media', () => {
  test('is resolved by id, downloaded with the Bearer token and a User-Agent, thumbnailed, and pushed live', async () => {
    const server = await start();
    const { token } = await signIn(server);
    const { batches } = await connectReady(server, token);
    const png = await makePng(800, 600);
    const waMediaId = uniqueId('wamedia');
    meta.whatsappMedia(waMediaId, { bytes: png, mimeType: 'image/png' });

    const seeded = await seedInboundMedia(server, {
      channel: 'whatsapp',
      kind: 'image',
      mimeType: 'image/png',
      source: { kind: 'whatsapp_media_id', id: waMediaId, sha256: sha256Hex(png) },
    });

    const batch = await batches.waitFor(
      (b) =>
        b.changes.some(
          (change) =>
            change.entity === 'message' &&
            change.data.id === seeded.messageId &&
            change.data.attachments[0]?.status === 'ready',
        ),
      'the attachment turning ready',
    );
    const change = batch.changes.find((c) => c.entity === 'message' && c.data.id === seeded.messageId);
    expect(change?.entity).toBe('message');
    const attachment = change?.entity === 'message' ? change.data.attachments[0] : undefined;
    expect(attachment).toMatchObject({
      mediaId: seeded.mediaId,
      status: 'ready',
      size: png.length,
      mimeType: 'image/png',
      hasThumbnail: true,
    });

    // Both hops carried the token; the download also carried Parley's User-Agent.
    const graphCall = meta.requests.find((r) => r.path === `/${GRAPH_VERSION}/${waMediaId}`);
    expect(graphCall?.headers.authorization).toBe(`Bearer ${WHATSAPP_TOKEN}`);
    const downloadCall = meta.requests.find(
      (r) => r.path.startsWith('/whatsapp_business/attachments/') && r.path.includes(encodeURIComponent(waMediaId)),
    );
    expect(downloadCall?.headers.authorization).toBe(`Bearer ${WHATSAPP_TOKEN}`);
    expect(downloadCall?.headers['user-agent']).toBe(MEDIA_USER_AGENT);

    const row = await mediaRow(server, seeded.mediaId);
    expect(row).toMatchObject({ status: 'ready', size: png.length, sha256: sha256Hex(png), error: null });
    expect(row.storage_key).not.toBeNull();
    expect(row.thumbnail_key).not.toBeNull();

    // The bytes and the thumbnail are served back, to a signed-in agent.
    const original = await getMedia(server, seeded.mediaId, { token });
    expect(original.status).toBe(200);
    expect(Buffer.from(await original.arrayBuffer()).equals(png)).toBe(true);
    const thumbnail = await getMedia(server, seeded.mediaId, { token, thumbnail: true });
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    const info = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect(info.format).toBe('webp');
    expect(Math.max(info.width, info.height)).toBe(320);
  });

  test('an image posted as a real webhook is copied end to end', async () => {
    const server = await start();
    const { token } = await signIn(server);
    const { batches } = await connectReady(server, token);
    const jpeg = await makeJpeg(300, 200);
    const waMediaId = uniqueId('wamedia-webhook');
    meta.whatsappMedia(waMediaId, { bytes: jpeg, mimeType: 'image/jpeg' });
    const wamid = `wamid.${uniqueId('media')}`;
    await deliver(
      server,
      'whatsapp',
      whatsappWebhook([
        [
          {
            value: whatsappValue({
              contacts: [{ waId: '15551230000', name: 'Ana' }],
              messages: [
                whatsappMessage({
                  from: '15551230000',
                  id: wamid,
                  timestampSeconds: Math.floor(Date.now() / 1000),
                  body: { type: 'image', image: { id: waMediaId, mime_type: 'image/jpeg', sha256: sha256Hex(jpeg) } },
                }),
              ],
            }),
          },
        ],
      ]),
    );
    const batch = await batches.waitFor(
      (b) =>
        b.changes.some(
          (c) => c.entity === 'message' && c.data.externalId === wamid && c.data.attachments[0]?.status === 'ready',
        ),
      'the webhook image turning ready',
    );
    const change = batch.changes.find((c) => c.entity === 'message' && c.data.externalId === wamid);
    const attachment = change?.entity === 'message' ? change.data.attachments[0] : undefined;
    expect(attachment).toMatchObject({ size: jpeg.length, mimeType: 'image/jpeg', hasThumbnail: true });
    const served = await getMedia(server, attachment?.mediaId ?? '', { token });
    expect(Buffer.from(await served.arrayBuffer()).equals(jpeg)).toBe(true);
  });

  test('a file whose bytes do not match the sha256 WhatsApp gave is refused and marked failed', async () => {
    const server = await start();
    const bytes = await makeJpeg();
    const waMediaId = uniqueId('wamedia-bad-hash');
    meta.whatsappMedia(waMediaId, { bytes, mimeType: 'image/jpeg', sha256: sha256Hex(Buffer.from('something else')) });

    const seeded = await seedInboundMedia(server, {
      channel: 'whatsapp',
      kind: 'image',
      mimeType: 'image/jpeg',
      source: { kind: 'whatsapp_media_id', id: waMediaId },
    });
    const row = await settled(server, seeded.mediaId);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/checksum/);
    expect(row.storage_key).toBeNull();
    expect((await messageAttachments(server, seeded.messageId))[0]?.status).toBe('failed');
  });

  test('a media id Graph no longer knows is marked expired', async () => {
    const server = await start();
    const waMediaId = uniqueId('wamedia-gone');
    meta.whatsappMedia(waMediaId, { bytes: Buffer.from('x'), mimeType: 'image/jpeg', graphStatus: 404 });

    const seeded = await seedInboundMedia(server, {
      channel: 'whatsapp',
      kind: 'image',
      source: { kind: 'whatsapp_media_id', id: waMediaId },
    });
    const row = await settled(server, seeded.mediaId);
    expect(row.status).toBe('expired');
    expect(row.error).toMatch(/no longer has this file/);
    expect((await messageAttachments(server, seeded.messageId))[0]?.status).toBe('expired');
  });

  test('an empty URL from Graph means expired', async () => {
    const server = await start();
    const waMediaId = uniqueId('wamedia-empty-url');
    meta.whatsappMedia(waMediaId, { bytes: Buffer.from('x'), mimeType: 'audio/ogg', url: '' });
    const seeded = await seedInboundMedia(server, {
      channel: 'whatsapp',
      kind: 'audio',
      source: { kind: 'whatsapp_media_id', id: waMediaId },
    });
    const row = await settled(server, seeded.mediaId);
    expect(row.status).toBe('expired');
  });

  test('pending copies left by a stopped server are resumed when it starts again', async () => {
    const first = await startTestServer(mediaConfig(meta));
    // Stop the worker before the row exists, as if the server had died right after inbound stored it.
    await first.media.dispose();
    const png = await makePng(64, 64);
    const waMediaId = uniqueId('wamedia-resume');
    meta.whatsappMedia(waMediaId, { bytes: png, mimeType: 'image/png' });
    const seeded = await seedInboundMedia(first, {
      channel: 'whatsapp',
      kind: 'image',
      source: { kind: 'whatsapp_media_id', id: waMediaId },
    });
    expect((await mediaRow(first, seeded.mediaId)).status).toBe('pending');
    await first.close();

    const second = await start({ dataDir: first.dataDir });
    const row = await settled(second, seeded.mediaId);
    expect(row.status).toBe('ready');
    expect((await messageAttachments(second, seeded.messageId))[0]).toMatchObject({
      status: 'ready',
      size: png.length,
    });
  });
});

describe('Messenger and Instagram media', () => {
  test('a Messenger CDN link is copied without any token, and its type is sniffed', async () => {
    const server = await start();
    const jpeg = await makeJpeg();
    const url = meta.cdn(`${uniqueId('msgr')}.jpg`, jpeg);
    const seeded = await seedInboundMedia(server, {
      channel: 'messenger',
      kind: 'image',
      source: { kind: 'url', url },
    });

    const row = await settled(server, seeded.mediaId);
    expect(row).toMatchObject({ status: 'ready', size: jpeg.length, mime_type: 'image/jpeg' });
    expect(row.thumbnail_key).not.toBeNull();
    const cdnCall = meta.requests.find((r) => url.includes(r.path.split('?')[0] ?? '-'));
    expect(cdnCall?.headers.authorization).toBeUndefined();
    expect(cdnCall?.headers['user-agent']).toBe(MEDIA_USER_AGENT);
    expect((await messageAttachments(server, seeded.messageId))[0]).toMatchObject({
      status: 'ready',
      mimeType: 'image/jpeg',
      hasThumbnail: true,
    });
  });

  test('an Instagram audio file is copied and served, without a thumbnail', async () => {
    const server = await start();
    const audio = Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(4000, 7)]);
    const url = meta.cdn(`${uniqueId('ig')}.mp3`, audio, { contentType: 'application/octet-stream' });
    const seeded = await seedInboundMedia(server, {
      channel: 'instagram',
      kind: 'audio',
      source: { kind: 'url', url },
    });
    const row = await settled(server, seeded.mediaId);
    expect(row).toMatchObject({ status: 'ready', mime_type: 'audio/mpeg', thumbnail_key: null });
  });

  test('a download that fails with a 500 is tried again and then kept', async () => {
    const server = await start();
    const jpeg = await makeJpeg(100, 100);
    const url = meta.cdn(`${uniqueId('retry')}.jpg`, jpeg, { failures: [500] });
    const seeded = await seedInboundMedia(server, {
      channel: 'instagram',
      kind: 'image',
      source: { kind: 'url', url },
    });
    const row = await settled(server, seeded.mediaId);
    expect(row.status).toBe('ready');
    expect(row.attempts).toBe(2);
    const calls = meta.requests.filter((r) => url.includes(r.path.split('?')[0] ?? '-'));
    expect(calls).toHaveLength(2);
  });

  test('a lapsed CDN link (403) or none at all means expired', async () => {
    const server = await start();
    const lapsed = await seedInboundMedia(server, {
      channel: 'instagram',
      kind: 'image',
      source: { kind: 'url', url: `${meta.url}/cdn/${uniqueId('never-registered')}.jpg` },
    });
    const missing = await seedInboundMedia(server, {
      channel: 'messenger',
      kind: 'file',
      source: { kind: 'url', url: null },
    });
    expect((await settled(server, lapsed.mediaId)).status).toBe('expired');
    expect((await settled(server, missing.mediaId)).status).toBe('expired');
    expect((await messageAttachments(server, missing.messageId))[0]?.status).toBe('expired');
  });

  test('copyAvatar copies a profile picture and gives its media id', async () => {
    const server = await start();
    // A picture not yet any contact's is served to an admin (an agent reads those of contacts they see).
    await server.agents.createAgent({ email: 'admin@example.com', name: 'Ada', role: 'admin', password: 'pw-123456' });
    const session = await server.agents.login('admin@example.com', 'pw-123456');
    if (session === null) throw new Error('login failed');
    const { token } = session;
    const account = await server.store.db
      .selectFrom('channel_accounts')
      .select('id')
      .where('channel', '=', 'messenger')
      .executeTakeFirstOrThrow();
    const jpeg = await makeJpeg(200, 200);
    const url = meta.cdn(`${uniqueId('avatar')}.jpg`, jpeg);
    const mediaId = await server.media.copyAvatar(account.id, url);
    expect(mediaId).not.toBeNull();
    expect(await server.media.copyAvatar(account.id, url)).toBe(mediaId);
    expect(await server.media.copyAvatar(account.id, 'not a url')).toBeNull();
    const row = await settled(server, mediaId ?? '');
    expect(row.status).toBe('ready');
    const served = await getMedia(server, mediaId ?? '', { token });
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(jpeg)).toBe(true);
  });
});

describe('local storage', () => {
  test('keeps one object per content, in a folder named by its hash, with nothing left in scratch', async () => {
    const server = await start();
    const jpeg = await makeJpeg(120, 90);
    const first = await seedInboundMedia(server, {
      channel: 'messenger',
      kind: 'image',
      source: { kind: 'url', url: meta.cdn(`${uniqueId('same-a')}.jpg`, jpeg) },
    });
    const second = await seedInboundMedia(server, {
      channel: 'messenger',
      kind: 'image',
      source: { kind: 'url', url: meta.cdn(`${uniqueId('same-b')}.jpg`, jpeg) },
    });
    const a = await settled(server, first.mediaId);
    const b = await settled(server, second.mediaId);
    expect(a.storage_key).toBe(b.storage_key);
    const hash = sha256Hex(jpeg);
    const file = path.join(server.dataDir, 'media', 'objects', hash.slice(0, 2), hash);
    expect(fs.readFileSync(file).equals(jpeg)).toBe(true);
    expect(fs.readdirSync(path.join(server.dataDir, 'media', 'tmp'))).toEqual([]);
  });
});
