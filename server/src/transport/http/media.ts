import fastifyMultipart from '@fastify/multipart';
import {
  AttachmentKindSchema,
  ChannelSchema,
  type Agent,
  type Channel,
  type FailureParams,
  type FailureReason,
} from '@parley/protocol';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Agents } from '../../modules/agents/index.js';
import { canSee, canSeeMedia, principalOf, type Principal } from '../../modules/access/index.js';
import { bearerToken } from './auth.js';
import type { ReceivedFile } from '../../modules/media/index.js';
import { baseMimeType, MAX_MEDIA_BYTES } from '../../modules/media/index.js';
import { MediaRefusedError, type MediaService, type MediaUpload } from '../../modules/media/index.js';
import type { ByteRange } from '../../modules/media/index.js';
import { issuePaths } from './errors.js';
import { THUMBNAIL_MIME_TYPE } from '../../modules/media/index.js';

export type MediaRoutesOptions = { media: MediaService; agents: Agents };

/** The desktop app's pages come from this origin; it fetches files with its Bearer token. */
const DESKTOP_ORIGIN = 'app://parley';

const ParamsSchema = z.object({ id: z.string().min(1).max(100) });
const QuerySchema = z.object({ thumbnail: z.enum(['1', 'true', '0', 'false']).optional() });

const UploadFieldsSchema = z
  .object({
    conversationId: z.string().min(1).max(100).optional(),
    channel: ChannelSchema.optional(),
    kind: AttachmentKindSchema.optional(),
  })
  .refine((fields) => fields.conversationId !== undefined || fields.channel !== undefined, {
    message: 'conversationId or channel',
  });

/** Types a browser may show in place; anything else is offered as a download. */
function showsInline(mimeType: string): boolean {
  const base = baseMimeType(mimeType);
  if (base === 'image/svg+xml') return false;
  return base.startsWith('image/') || base.startsWith('audio/') || base.startsWith('video/');
}

/** `filename` for old clients (ASCII only) and `filename*` (RFC 8187) for the real name. */
export function contentDisposition(type: 'inline' | 'attachment', fileName: string | null): string {
  if (fileName === null) return type;
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export type RangeAnswer = { kind: 'all' } | { kind: 'range'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * One `bytes=` range (RFC 9110 §14.1.2). A header that does not parse, or asks for several
 * ranges, is ignored and the whole file is sent, as the RFC allows.
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'all' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return { kind: 'all' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'all' };
  if (first === '') {
    // A suffix: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', range: { start: Math.max(0, size - length), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return { kind: 'all' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', range: { start, end } };
}

/** The stored bytes, or null when the object is missing (a local file someone deleted). */
async function openStored(media: MediaService, key: string, range: ByteRange | undefined): Promise<Readable | null> {
  try {
    return await media.storage.read(key, range);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * A client can read the last byte of a streamed file just before the server ends the
 * response. If the server starts closing in that gap, Node closes only the connections
 * idle at that moment, and this one, idle a moment later, would hold the close open for
 * the whole keep-alive timeout. So a response that ends while the server is closing
 * ends its connection too.
 */
function endConnectionIfClosing(reply: FastifyReply): void {
  // Taken now: Node detaches the socket from the response as it finishes.
  const socket = reply.raw.socket;
  reply.raw.once('finish', () => {
    if (!reply.server.server.listening) socket?.end();
  });
}

function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  reason?: FailureReason,
  params?: FailureParams,
): FastifyReply {
  // An error is not the file: none of the file's headers may stay on it.
  reply.removeHeader('etag');
  reply.removeHeader('content-disposition');
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ code, ...(reason === undefined ? {} : { reason }), ...(params === undefined ? {} : { params }) });
}

/**
 * GET /api/media/:id serves a copy to a signed-in agent; POST /api/media takes an agent's
 * attachment. Registered as one encapsulated plugin, so multipart parsing exists only here.
 */
export async function mediaRoutes(app: FastifyInstance, options: MediaRoutesOptions): Promise<void> {
  const { media, agents } = options;
  await app.register(fastifyMultipart, {
    // One byte more than Parley accepts, so our own meter sees the overflow and says so.
    limits: { fileSize: MAX_MEDIA_BYTES + 1, files: 1, fields: 8, fieldSize: 1024, parts: 10 },
  });

  const signedIn = async (request: FastifyRequest): Promise<Agent | null> => {
    const token = bearerToken(request);
    return token === undefined ? null : agents.agentForToken(token);
  };
  const db = media.deps.store.db;
  /** Who asks, with what they may see; null when the account is gone or deactivated. */
  const principalFor = async (agent: Agent): Promise<Principal | null> => {
    const principal = await principalOf(db, agent.id);
    return principal === null || !principal.active ? null : principal;
  };

  // The desktop app runs on its own origin and sends the token in a header: let it read.
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.origin !== DESKTOP_ORIGIN) return;
    void reply
      .header('access-control-allow-origin', DESKTOP_ORIGIN)
      .header('access-control-allow-credentials', 'true')
      .header('access-control-expose-headers', 'content-length, content-range, content-disposition, etag')
      .header('vary', 'origin');
  });
  const preflight = (_request: FastifyRequest, reply: FastifyReply): FastifyReply =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, HEAD, POST')
      .header('access-control-allow-headers', 'authorization, range, if-none-match, content-type')
      .header('access-control-max-age', '600')
      .send();
  app.options('/api/media', preflight);
  app.options('/api/media/:id', preflight);

  // HEAD is its own route so it answers from the row alone, without reading the file.
  app.route({ method: ['GET', 'HEAD'], url: '/api/media/:id', handler: serveMedia });

  async function serveMedia(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const headOnly = request.method === 'HEAD';
    const agent = await signedIn(request);
    if (agent === null) return sendError(reply, 401, 'unauthorized', 'session_missing');
    const params = ParamsSchema.safeParse(request.params);
    const query = QuerySchema.safeParse(request.query);
    if (!params.success || !query.success) {
      return sendError(reply, 400, 'bad_request', 'malformed', { request: 'media' });
    }
    const row = await media.find(params.data.id);
    if (row === null) return sendError(reply, 404, 'not_found', 'media_missing');
    // A file of a conversation this user may not see answers as one that does not exist.
    const principal = await principalFor(agent);
    if (principal === null || !(await canSeeMedia(db, principal, row))) {
      return sendError(reply, 404, 'not_found', 'media_missing');
    }
    if (row.status === 'pending') {
      void reply.header('retry-after', '2');
      return sendError(reply, 503, 'media_pending', 'media_pending');
    }
    if (row.status === 'expired') {
      return sendError(reply, 410, 'media_expired', 'media_expired');
    }
    if (row.status !== 'ready' || row.storage_key === null || row.sha256 === null || row.size === null) {
      return sendError(reply, 409, 'media_failed', 'media_copy_failed');
    }
    const thumbnail = query.data.thumbnail === '1' || query.data.thumbnail === 'true';
    const etag = thumbnail ? `"${row.sha256}-t320"` : `"${row.sha256}"`;
    // Stored objects never change (their key is their hash): cache them for good, privately.
    void reply
      .header('etag', etag)
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      // A customer's file opened on its own can run nothing and load nothing.
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('accept-ranges', thumbnail ? 'none' : 'bytes');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();

    if (thumbnail) {
      if (row.thumbnail_key === null) return sendError(reply, 404, 'not_found', 'thumbnail_missing');
      const bytes = await media.storage.readAll(row.thumbnail_key);
      void reply.header('content-type', THUMBNAIL_MIME_TYPE).header('content-disposition', 'inline');
      if (headOnly) return reply.header('content-length', String(bytes.length)).send();
      return reply.send(bytes);
    }

    const mimeType = row.mime_type ?? 'application/octet-stream';
    const size = Number(row.size);
    void reply
      .header('content-type', mimeType)
      .header(
        'content-disposition',
        contentDisposition(showsInline(mimeType) ? 'inline' : 'attachment', row.file_name),
      );
    const ifRange = request.headers['if-range'];
    const range =
      ifRange !== undefined && ifRange !== etag ? { kind: 'all' as const } : parseRange(request.headers.range, size);
    if (range.kind === 'unsatisfiable') {
      void reply.header('content-range', `bytes */${size}`).header('content-type', 'application/json; charset=utf-8');
      return sendError(reply, 416, 'bad_request', 'range_unsatisfiable', { size });
    }
    if (headOnly) {
      if (range.kind === 'range') {
        const { start, end } = range.range;
        void reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
        return reply.header('content-length', String(end - start + 1)).send();
      }
      return reply.header('content-length', String(size)).send();
    }
    const stream = await openStored(media, row.storage_key, range.kind === 'range' ? range.range : undefined);
    if (stream === null) {
      return sendError(reply, 404, 'not_found', 'media_stored_copy_missing');
    }
    endConnectionIfClosing(reply);
    if (range.kind === 'range') {
      const { start, end } = range.range;
      return reply
        .code(206)
        .header('content-range', `bytes ${start}-${end}/${size}`)
        .header('content-length', String(end - start + 1))
        .send(stream);
    }
    return reply.header('content-length', String(size)).send(stream);
  }

  app.post('/api/media', async (request, reply) => {
    const agent = await signedIn(request);
    if (agent === null) return sendError(reply, 401, 'unauthorized', 'session_missing');
    if (!request.isMultipart()) {
      return sendError(reply, 400, 'bad_request', 'upload_malformed');
    }
    let file: ReceivedFile | null = null;
    let declaredMimeType: string | null = null;
    let fileName: string | null = null;
    const fields: Record<string, string> = {};
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file' || file !== null) {
            part.file.resume();
            continue;
          }
          file = await media.receiveUpload(part.file);
          declaredMimeType = part.mimetype;
          fileName = part.filename;
        } else if (typeof part.value === 'string') {
          fields[part.fieldname] = part.value;
        }
      }
    } catch (error) {
      if (file !== null) await media.discardScratch(file);
      if (error instanceof MediaRefusedError) {
        return sendError(reply, error.statusCode, 'media_invalid', error.refusal.reason, error.refusal.params);
      }
      const code = (error as { code?: unknown }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') {
        return sendError(reply, 413, 'media_invalid', 'media_too_large', { maxBytes: MAX_MEDIA_BYTES });
      }
      if (typeof code === 'string' && code.startsWith('FST_')) {
        return sendError(reply, 400, 'bad_request', 'upload_malformed');
      }
      throw error;
    }
    if (file === null) return sendError(reply, 400, 'bad_request', 'upload_file_missing');
    const parsed = UploadFieldsSchema.safeParse(fields);
    if (!parsed.success) {
      await media.discardScratch(file);
      return sendError(reply, 400, 'bad_request', 'upload_destination_missing', { fields: issuePaths(parsed.error) });
    }
    let channel: Channel;
    let channelAccountId: string | null = null;
    const principal = await principalFor(agent);
    if (principal === null) {
      await media.discardScratch(file);
      return sendError(reply, 401, 'unauthorized', 'session_ended');
    }
    if (parsed.data.conversationId !== undefined) {
      const conversation = (await canSee(db, principal, parsed.data.conversationId))
        ? await media.conversationChannel(parsed.data.conversationId)
        : null;
      if (conversation === null) {
        await media.discardScratch(file);
        return sendError(reply, 404, 'not_found', 'conversation_missing');
      }
      if (parsed.data.channel !== undefined && parsed.data.channel !== conversation.channel) {
        await media.discardScratch(file);
        return sendError(reply, 400, 'bad_request', 'upload_channel_mismatch', {
          channel: conversation.channel,
          requested: parsed.data.channel,
        });
      }
      channel = conversation.channel;
      channelAccountId = conversation.channelAccountId;
    } else {
      channel = parsed.data.channel ?? 'whatsapp';
    }
    try {
      const upload: MediaUpload = await media.acceptUpload({
        file,
        declaredMimeType,
        fileName,
        kind: parsed.data.kind ?? null,
        channel,
        channelAccountId,
        uploadedBy: agent.id,
      });
      request.log.info({ mediaId: upload.mediaId, agentId: agent.id, size: upload.size }, 'media uploaded');
      return reply.code(201).send(upload);
    } catch (error) {
      if (error instanceof MediaRefusedError) {
        return sendError(reply, error.statusCode, 'media_invalid', error.refusal.reason, error.refusal.params);
      }
      throw error;
    }
  });
}
