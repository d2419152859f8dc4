import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AttachmentSchema, type Attachment, type Channel } from '@parley/protocol';
import sharp from 'sharp';
import { newId } from '../src/platform/ids.js';
import type { ServerConfig } from '../src/config.js';
import { EVENT_TIMEOUT_MS, type TestServer } from './helpers.js';

/**
 * Local stand-ins for what the media tests talk to: Meta's Graph media endpoint and its
 * media hosts (WhatsApp's lookaside, the Messenger/Instagram CDN), and an S3-compatible
 * object store. They listen on 127.0.0.1 only and speak the documented shapes.
 */

export const GRAPH_VERSION = 'v21.0';

export type RecordedRequest = { method: string; path: string; headers: http.IncomingHttpHeaders };

type WhatsAppMedia = {
  bytes: Buffer;
  mimeType: string;
  /** The hash Graph reports; defaults to the bytes' real sha256 (hex). */
  sha256?: string;
  /** Graph answers this status (with a Graph error body) instead of the media. */
  graphStatus?: number;
  /** Overrides the url Graph hands out; '' models an expired one. */
  url?: string;
};

/**
 * Test-server settings for the media tests: Graph at the fixture, and the media folder
 * inside the server's own temporary data folder (the default is relative to the working
 * directory), so a test leaves nothing behind.
 */
export function mediaConfig(
  meta: Pick<MetaFixture, 'url'> | null,
  overrides: Partial<ServerConfig> = {},
): Partial<ServerConfig> {
  const dataDir = overrides.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-media-test-'));
  return {
    dataDir,
    media: { dir: path.join(dataDir, 'media'), s3: null },
    // Without a fixture, Graph is a closed local port: nothing may reach Meta's real hosts.
    graph: { baseUrl: meta === null ? 'http://127.0.0.1:1' : meta.url, version: GRAPH_VERSION },
    ...overrides,
  };
}

export type MetaFixture = {
  url: string;
  requests: RecordedRequest[];
  /** Registers a WhatsApp media id with the token that may read it. */
  whatsappMedia(id: string, media: WhatsAppMedia): void;
  /** Serves `bytes` at a CDN path; `failures` are statuses answered first, in order. */
  cdn(name: string, bytes: Buffer, options?: { contentType?: string; failures?: number[] }): string;
  close(): Promise<void>;
};

export const WHATSAPP_TOKEN = 'test-token-whatsapp';

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startMetaFixture(): Promise<MetaFixture> {
  const media = new Map<string, WhatsAppMedia>();
  const cdn = new Map<string, { bytes: Buffer; contentType?: string; failures: number[] }>();
  const requests: RecordedRequest[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers });
    const bearer = req.headers.authorization === `Bearer ${WHATSAPP_TOKEN}`;

    // GET /{version}/{media-id} → {messaging_product, url, mime_type, sha256, file_size, id}
    const graph = new RegExp(`^/${GRAPH_VERSION.replace('.', '\\.')}/([^/]+)$`).exec(url.pathname);
    if (graph !== null) {
      if (!bearer) {
        return json(res, 401, { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } });
      }
      const id = decodeURIComponent(graph[1] ?? '');
      const item = media.get(id);
      if (item === undefined || item.graphStatus !== undefined) {
        const status = item?.graphStatus ?? 400;
        return json(res, status, {
          error: {
            message: `Unsupported get request. Object with ID '${id}' does not exist.`,
            type: 'GraphMethodException',
            code: status >= 500 ? 2 : 100,
            error_subcode: 33,
          },
        });
      }
      return json(res, 200, {
        messaging_product: 'whatsapp',
        url: item.url ?? `${base}/whatsapp_business/attachments/?mid=${encodeURIComponent(id)}&ext=1&hash=abc`,
        mime_type: item.mimeType,
        sha256: item.sha256 ?? sha256Hex(item.bytes),
        file_size: item.bytes.length,
        id,
      });
    }

    // The lookaside host: the same Bearer token AND a User-Agent, or it refuses.
    if (url.pathname === '/whatsapp_business/attachments/') {
      const item = media.get(url.searchParams.get('mid') ?? '');
      if (!bearer) return json(res, 401, { error: 'missing token' });
      if (req.headers['user-agent'] === undefined || req.headers['user-agent'] === '') {
        return json(res, 403, { error: 'missing user agent' });
      }
      if (item === undefined) return json(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': item.mimeType, 'content-length': String(item.bytes.length) });
      return res.end(item.bytes);
    }

    // Messenger/Instagram CDN: signed URLs, no token; 403 once the signature has lapsed.
    const cdnMatch = /^\/cdn\/(.+)$/.exec(url.pathname);
    if (cdnMatch !== null) {
      const item = cdn.get(cdnMatch[1] ?? '');
      if (item === undefined) {
        res.writeHead(403, { 'content-type': 'text/plain' });
        return res.end('URL signature expired');
      }
      const failure = item.failures.shift();
      if (failure !== undefined) {
        res.writeHead(failure, { 'content-type': 'text/plain' });
        return res.end('try again');
      }
      const headers: http.OutgoingHttpHeaders = { 'content-length': String(item.bytes.length) };
      if (item.contentType !== undefined) headers['content-type'] = item.contentType;
      res.writeHead(200, headers);
      return res.end(item.bytes);
    }
    json(res, 404, { error: 'no such fixture route' });
  });
  base = await listen(server);
  return {
    url: base,
    requests,
    whatsappMedia: (id, item) => media.set(id, item),
    cdn: (name, bytes, options = {}) => {
      cdn.set(name, { bytes, contentType: options.contentType, failures: [...(options.failures ?? [])] });
      return `${base}/cdn/${name}?oe=68000000&_nc_sig=abc`;
    },
    close: () => closeServer(server),
  };
}

export type FakeS3 = {
  url: string;
  objects: Map<string, { bytes: Buffer; contentType: string | undefined }>;
  requests: RecordedRequest[];
  close(): Promise<void>;
};

export const S3_ACCESS_KEY = 'PARLEYTESTKEY';

/**
 * A tiny path-style S3: PUT, GET (with Range) and HEAD of objects in any bucket. It checks
 * that each request is SigV4-signed with the expected key and that a PUT's declared
 * payload hash matches what arrived.
 */
export async function startFakeS3(): Promise<FakeS3> {
  const objects = new Map<string, { bytes: Buffer; contentType: string | undefined }>();
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://s3.local').pathname);
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${S3_ACCESS_KEY}/`) || !auth.includes('/s3/aws4_request')) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      return res.end('<Error><Code>AccessDenied</Code></Error>');
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'PUT') {
        const body = Buffer.concat(chunks);
        const declared = req.headers['x-amz-content-sha256'];
        if (declared !== 'UNSIGNED-PAYLOAD' && declared !== sha256Hex(body)) {
          res.writeHead(400, { 'content-type': 'application/xml' });
          return res.end('<Error><Code>XAmzContentSHA256Mismatch</Code></Error>');
        }
        objects.set(path, { bytes: body, contentType: req.headers['content-type'] });
        res.writeHead(200, { etag: `"${sha256Hex(body)}"` });
        return res.end();
      }
      const object = objects.get(path);
      if (object === undefined) {
        res.writeHead(404, { 'content-type': 'application/xml' });
        return res.end(req.method === 'HEAD' ? undefined : '<Error><Code>NoSuchKey</Code></Error>');
      }
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'content-length': String(object.bytes.length) });
        return res.end();
      }
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (range !== null) {
        const start = Number(range[1]);
        const end = Math.min(Number(range[2]), object.bytes.length - 1);
        res.writeHead(206, {
          'content-range': `bytes ${start}-${end}/${object.bytes.length}`,
          'content-length': String(end - start + 1),
        });
        return res.end(object.bytes.subarray(start, end + 1));
      }
      res.writeHead(200, { 'content-length': String(object.bytes.length), 'content-type': object.contentType });
      res.end(object.bytes);
    });
  });
  const url = await listen(server);
  return { url, objects, requests, close: () => closeServer(server) };
}

// ---------------------------------------------------------------------------------------
// Files

/** A real PNG, made with sharp, large enough that a thumbnail is smaller. */
export async function makePng(width = 800, height = 600): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .png()
    .toBuffer();
}

export async function makeJpeg(width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 20, g: 120, b: 200 } } })
    .jpeg()
    .toBuffer();
}

/** Bytes that start like a file of some type and are padded to `size` (limits look at size and type). */
export function fakeFile(signature: string | Buffer, size: number): Buffer {
  const head = typeof signature === 'string' ? Buffer.from(signature, 'latin1') : signature;
  const bytes = Buffer.alloc(Math.max(size, head.length), 0x20);
  head.copy(bytes);
  return bytes;
}

export const SIGNATURES = {
  png: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  pdf: '%PDF-1.7\n',
  mp3: 'ID3\x03\x00\x00\x00\x00\x00\x00',
  zip: 'PK\x03\x04',
  webp: 'RIFF\x00\x00\x00\x00WEBPVP8 ',
} as const;

// ---------------------------------------------------------------------------------------
// Rows, as the inbound pipeline writes them

export type SeededMedia = { mediaId: string; messageId: string; conversationId: string };

/**
 * Stores a customer's message with one pending attachment and its `media` row, in one
 * transaction, the way inbound processing does: the media worker takes it from there.
 */
export async function seedInboundMedia(
  server: TestServer,
  input: {
    channel: Channel;
    kind: Attachment['kind'];
    source: { kind: 'whatsapp_media_id'; id: string; sha256?: string } | { kind: 'url'; url: string | null };
    mimeType?: string | null;
    fileName?: string | null;
  },
): Promise<SeededMedia> {
  const account = await server.store.db
    .selectFrom('channel_accounts')
    .select('id')
    .where('channel', '=', input.channel)
    .executeTakeFirstOrThrow();
  const now = Date.now();
  const contactId = newId();
  const conversationId = newId();
  const messageId = newId();
  const mediaId = newId();
  const attachment: Attachment = {
    mediaId,
    kind: input.kind,
    mimeType: input.mimeType ?? null,
    fileName: input.fileName ?? null,
    size: null,
    status: 'pending',
    hasThumbnail: false,
    voice: false,
    animated: false,
  };
  await server.store.write(async (trx, changes) => {
    await trx
      .insertInto('media')
      .values({
        id: mediaId,
        channel_account_id: account.id,
        kind: input.kind,
        status: 'pending',
        mime_type: input.mimeType ?? null,
        file_name: input.fileName ?? null,
        size: null,
        sha256: input.source.kind === 'whatsapp_media_id' ? (input.source.sha256 ?? null) : null,
        source_kind: input.source.kind,
        source_ref: input.source.kind === 'whatsapp_media_id' ? input.source.id : input.source.url,
        storage_key: null,
        thumbnail_key: null,
        error: null,
        attempts: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await trx
      .insertInto('contacts')
      .values({
        id: contactId,
        name: 'Media Customer',
        avatar_media_id: null,
        phone: null,
        merged_into: null,
        profile_fetched_at: null,
        created_at: now,
        seq: await changes.nextSeq('contact', contactId),
      })
      .execute();
    await trx
      .insertInto('conversations')
      .values({
        id: conversationId,
        channel: input.channel,
        channel_account_id: account.id,
        contact_id: contactId,
        status: 'open',
        assignee_id: null,
        // The team of its inbox, as an inbound message would have set it.
        team_id:
          (
            await trx
              .selectFrom('team_inboxes')
              .select('team_id')
              .where('channel_account_id', '=', account.id)
              .executeTakeFirst()
          )?.team_id ?? null,
        labels: '[]',
        last_message_at: now,
        last_message_preview: `[${input.kind}]`,
        last_inbound_at: now,
        window_open_until: now + 86_400_000,
        human_agent_until: null,
        unread_count: 1,
        created_at: now,
        seq: await changes.nextSeq('conversation', conversationId),
      })
      .execute();
    await trx
      .insertInto('messages')
      .values({
        id: messageId,
        conversation_id: conversationId,
        channel: input.channel,
        client_id: null,
        external_id: `ext-${messageId}`,
        direction: 'inbound',
        kind: input.kind === 'file' ? 'document' : input.kind,
        text: null,
        author_agent_id: null,
        status: 'received',
        attachments: JSON.stringify([attachment]),
        location: null,
        shared_contacts: '[]',
        reply_to: null,
        interactive: null,
        reactions: '[]',
        forwarded: 'no',
        template: null,
        human_agent_tag: 0,
        error: null,
        edited_at: null,
        deleted_at: null,
        created_at: now,
        received_at: now,
        raw: null,
        seq: await changes.nextSeq('message', messageId),
      })
      .execute();
  });
  return { mediaId, messageId, conversationId };
}

export async function mediaRow(
  server: TestServer,
  mediaId: string,
): Promise<{
  status: string;
  error: string | null;
  attempts: number;
  size: number | null;
  mime_type: string | null;
  sha256: string | null;
  storage_key: string | null;
  thumbnail_key: string | null;
}> {
  return server.store.db
    .selectFrom('media')
    .select(['status', 'error', 'attempts', 'size', 'mime_type', 'sha256', 'storage_key', 'thumbnail_key'])
    .where('id', '=', mediaId)
    .executeTakeFirstOrThrow();
}

export async function messageAttachments(server: TestServer, messageId: string): Promise<Attachment[]> {
  const row = await server.store.db
    .selectFrom('messages')
    .select('attachments')
    .where('id', '=', messageId)
    .executeTakeFirstOrThrow();
  return AttachmentSchema.array().parse(JSON.parse(row.attachments));
}

/** Polls until the media row leaves `pending` (or the timeout fails the test). */
export async function settled(
  server: TestServer,
  mediaId: string,
  timeoutMs = EVENT_TIMEOUT_MS * 2,
): Promise<Awaited<ReturnType<typeof mediaRow>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await mediaRow(server, mediaId);
    if (row.status !== 'pending') return row;
    if (Date.now() > deadline) {
      throw new Error(
        `media ${mediaId} still pending after ${timeoutMs} ms (attempts ${row.attempts}, ${row.error ?? 'no error'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** POSTs a multipart upload as the apps do. */
export async function upload(
  server: TestServer,
  token: string | null,
  input: { bytes: Buffer; fileName: string; mimeType: string; fields: Record<string, string> },
): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(input.fields)) form.set(key, value);
  form.set('file', new Blob([new Uint8Array(input.bytes)], { type: input.mimeType }), input.fileName);
  return fetch(new URL('/api/media', server.url), {
    method: 'POST',
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    body: form,
  });
}

export async function getMedia(
  server: TestServer,
  mediaId: string,
  options: { token?: string | null; headers?: Record<string, string>; thumbnail?: boolean } = {},
): Promise<Response> {
  const url = new URL(`/api/media/${mediaId}`, server.url);
  if (options.thumbnail === true) url.searchParams.set('thumbnail', '1');
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined && options.token !== null) headers.authorization = `Bearer ${options.token}`;
  return fetch(url, { headers });
}
