import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Readable } from 'node:stream';
import { ChannelSchema } from '@parley/protocol';
import { z } from 'zod';
import { CHANNEL_NAMES, formatBytes, MAX_MEDIA_BYTES } from './limits.js';
import { SNIFF_BYTES, specificMimeType } from './sniff.js';

/** What became of one try at copying a file. */
export type CopyOutcome = 'retry' | 'expired' | 'failed';

/** A copy that did not work, with words for the agent and whether trying again may help. */
export class CopyError extends Error {
  override readonly name = 'CopyError';
  constructor(
    readonly outcome: CopyOutcome,
    message: string,
  ) {
    super(message);
  }
}

/** A file received into the scratch folder: its size, hash and first bytes are known. */
export type ReceivedFile = {
  path: string;
  size: number;
  sha256: string;
  head: Buffer;
};

/** Counts, hashes and keeps the first bytes of what passes; stops past `limit`. */
class Meter extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;

  constructor(
    private readonly limit: number,
    private readonly tooLarge: () => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      callback(this.tooLarge());
      return;
    }
    this.hash.update(chunk);
    if (this.headLength < SNIFF_BYTES) {
      this.headChunks.push(chunk.subarray(0, SNIFF_BYTES - this.headLength));
      this.headLength += Math.min(chunk.length, SNIFF_BYTES - this.headLength);
    }
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  head(): Buffer {
    return Buffer.concat(this.headChunks);
  }
}

/**
 * Streams `source` into a new file in `scratchDir`, never holding it in memory and never
 * writing past `limit` bytes. The file is removed if anything goes wrong.
 */
export async function receiveToScratch(
  source: NodeJS.ReadableStream,
  scratchDir: string,
  limit: number,
  tooLarge: () => Error,
): Promise<ReceivedFile> {
  const file = path.join(scratchDir, `${randomUUID()}.part`);
  const meter = new Meter(limit, tooLarge);
  try {
    await pipeline(source, meter, fs.createWriteStream(file, { flags: 'wx' }));
  } catch (error) {
    await fsp.rm(file, { force: true });
    throw error;
  }
  return { path: file, size: meter.size, sha256: meter.digest(), head: meter.head() };
}

/** Meta's error envelope, read leniently: only what helps to decide and to explain. */
const GraphErrorSchema = z.object({
  error: z.object({
    message: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
  }),
});

/** `GET /{version}/{media-id}`, as CHANNELS.md §3.1 documents it. */
const WhatsAppMediaSchema = z.object({
  messaging_product: z.string().optional(),
  url: z.string().optional(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  file_size: z.union([z.number(), z.string()]).optional(),
  id: z.string().optional(),
});

export type ResolvedWhatsAppMedia = {
  url: string;
  mimeType: string | null;
  sha256: string | null;
  size: number | null;
};

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80007, 130429]);
const TOKEN_CODES = new Set([190, 102, 10, 200]);

/** The User-Agent every download carries: WhatsApp's media host refuses requests without one. */
export const USER_AGENT = 'Parley/0.1 (+media copier)';

function networkWords(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return 'the request timed out';
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : null;
  return cause === null ? 'the network failed' : `the network failed (${cause.slice(0, 120)})`;
}

async function graphError(response: Response): Promise<{ code: number | null; message: string | null }> {
  try {
    const parsed = GraphErrorSchema.safeParse(await response.json());
    if (!parsed.success) return { code: null, message: null };
    return { code: parsed.data.error.code ?? null, message: parsed.data.error.message?.slice(0, 200) ?? null };
  } catch {
    return { code: null, message: null };
  }
}

/**
 * Asks the Graph API where a WhatsApp media id's bytes are: a URL valid for five minutes.
 * The token travels in the Authorization header, never in the URL, so no log holds it.
 */
export async function resolveWhatsAppMedia(input: {
  graphBaseUrl: string;
  graphVersion: string;
  mediaId: string;
  accessToken: string;
  signal: AbortSignal;
  /** Told how the Graph API call ended: null, or Meta's error code (the metrics). */
  observe?: (error: string | null) => void;
}): Promise<ResolvedWhatsAppMedia> {
  const url = `${input.graphBaseUrl}/${input.graphVersion}/${encodeURIComponent(input.mediaId)}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${input.accessToken}`, 'user-agent': USER_AGENT, accept: 'application/json' },
      signal: AbortSignal.any([input.signal, AbortSignal.timeout(30_000)]),
    });
  } catch (error) {
    if (input.signal.aborted) throw error;
    input.observe?.('network_connection_lost');
    throw new CopyError('retry', `WhatsApp could not be asked for the file: ${networkWords(error)}.`);
  }
  input.observe?.(response.ok ? null : `http_${response.status}`);
  if (!response.ok) {
    const { code, message } = await graphError(response);
    const detail = `HTTP ${response.status}${code === null ? '' : `, code ${code}`}${message === null ? '' : `: ${message}`}`;
    if (response.status === 404 || response.status === 410 || code === 100) {
      throw new CopyError(
        'expired',
        `WhatsApp no longer has this file (media ids from webhooks last 7 days) (${detail}).`,
      );
    }
    if (response.status === 429 || response.status >= 500 || (code !== null && RATE_LIMIT_CODES.has(code))) {
      throw new CopyError('retry', `WhatsApp did not hand out the file this time (${detail}).`);
    }
    if (response.status === 401 || response.status === 403 || (code !== null && TOKEN_CODES.has(code))) {
      throw new CopyError(
        'failed',
        `Meta refused this WhatsApp account's access token; reconnect the account (${detail}).`,
      );
    }
    throw new CopyError('failed', `WhatsApp refused to hand out the file (${detail}).`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new CopyError('retry', 'WhatsApp answered with something that is not JSON.');
  }
  const parsed = WhatsAppMediaSchema.safeParse(body);
  if (!parsed.success) throw new CopyError('failed', 'WhatsApp answered with an unexpected shape for the file.');
  const media = parsed.data;
  if (media.url === undefined || media.url.trim() === '') {
    throw new CopyError('expired', 'WhatsApp gave no address for this file: it has expired.');
  }
  const size = media.file_size === undefined ? null : Number(media.file_size);
  return {
    url: media.url,
    mimeType: media.mime_type ?? null,
    sha256: media.sha256 ?? null,
    size: size !== null && Number.isFinite(size) ? size : null,
  };
}

export type Downloaded = ReceivedFile & { contentType: string | null };

/**
 * Downloads `url` into the scratch folder, streaming, capped at MAX_MEDIA_BYTES.
 * `platform` names the source in the words of an error.
 */
export async function download(input: {
  url: string;
  headers: Record<string, string>;
  scratchDir: string;
  signal: AbortSignal;
  platform: string;
  /** A signed CDN link answers 403 once its signature has lapsed: that means expired, not refused. */
  forbiddenMeansExpired: boolean;
}): Promise<Downloaded> {
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(input.url);
  } catch {
    throw new CopyError('expired', `${input.platform} gave an address for this file that is not a URL.`);
  }
  if (parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:') {
    throw new CopyError('failed', `${input.platform} gave an address for this file that is not a web address.`);
  }
  const tooLarge = (): CopyError =>
    new CopyError('failed', `The file is larger than ${formatBytes(MAX_MEDIA_BYTES)}, the most Parley copies.`);
  const signal = AbortSignal.any([input.signal, AbortSignal.timeout(10 * 60_000)]);
  let response: Response;
  try {
    response = await fetch(parsedUrl, { headers: { 'user-agent': USER_AGENT, ...input.headers }, signal });
  } catch (error) {
    if (input.signal.aborted) throw error;
    throw new CopyError('retry', `The file could not be downloaded from ${input.platform}: ${networkWords(error)}.`);
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    const status = response.status;
    if (status === 404 || status === 410 || (status === 403 && input.forbiddenMeansExpired)) {
      throw new CopyError('expired', `${input.platform} no longer has this file (HTTP ${status}).`);
    }
    if (status === 429 || status >= 500 || status === 401 || status === 403 || status === 408) {
      throw new CopyError('retry', `${input.platform} did not serve the file this time (HTTP ${status}).`);
    }
    throw new CopyError('failed', `${input.platform} refused to serve the file (HTTP ${status}).`);
  }
  const declaredLength = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declaredLength) && declaredLength > MAX_MEDIA_BYTES) {
    await response.body.cancel();
    throw tooLarge();
  }
  try {
    const received = await receiveToScratch(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      input.scratchDir,
      MAX_MEDIA_BYTES,
      tooLarge,
    );
    return { ...received, contentType: response.headers.get('content-type') };
  } catch (error) {
    if (error instanceof CopyError || input.signal.aborted) throw error;
    throw new CopyError('retry', `The download from ${input.platform} broke off: ${networkWords(error)}.`);
  }
}

/**
 * Whether a hash Meta gave matches the bytes. WhatsApp's are hex in the Graph answer, and
 * some payloads carry base64; both are accepted.
 */
export function sha256Matches(expected: string, actualHex: string): boolean {
  const trimmed = expected.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return trimmed.toLowerCase() === actualHex;
  const decoded = Buffer.from(trimmed, 'base64');
  return decoded.length === 32 && decoded.toString('hex') === actualHex;
}

/** Where a pending copy's bytes come from, as its `media` row says. */
export type CopySource = {
  source_kind: string;
  source_ref: string | null;
  mime_type: string | null;
  sha256: string | null;
};

/**
 * Downloads a pending copy's bytes into the scratch folder: a WhatsApp media id is
 * resolved with the account's token first, a CDN address is fetched as it is. `account`
 * is the business account the file came to, if it is still connected.
 */
export async function fetchCopySource(
  row: CopySource,
  input: {
    account: { channel: string; access_token: string } | undefined;
    graph: { baseUrl: string; version: string };
    scratchDir: string;
    signal: AbortSignal;
    /** Told of the Graph API call that resolves a WhatsApp media id, and Meta's error if any. */
    observe: (error: string | null) => void;
  },
): Promise<{ file: Downloaded; mimeType: string | null }> {
  const { account } = input;
  if (row.source_kind === 'whatsapp_media_id') {
    if (row.source_ref === null || row.source_ref === '') {
      throw new CopyError('expired', 'WhatsApp gave no media id for this file.');
    }
    if (account === undefined) {
      throw new CopyError('failed', 'The WhatsApp account this file came to is no longer connected to Parley.');
    }
    const resolved = await resolveWhatsAppMedia({
      graphBaseUrl: input.graph.baseUrl,
      graphVersion: input.graph.version,
      mediaId: row.source_ref,
      accessToken: account.access_token,
      signal: input.signal,
      observe: input.observe,
    });
    if (resolved.size !== null && resolved.size > MAX_MEDIA_BYTES) {
      throw new CopyError(
        'failed',
        `The file is ${formatBytes(resolved.size)}, larger than ${formatBytes(MAX_MEDIA_BYTES)}, the most Parley copies.`,
      );
    }
    // The download needs the same token and a User-Agent (CHANNELS.md §0 rule 9).
    const file = await download({
      url: resolved.url,
      headers: { authorization: `Bearer ${account.access_token}` },
      scratchDir: input.scratchDir,
      signal: input.signal,
      platform: 'WhatsApp',
      forbiddenMeansExpired: false,
    });
    const expected = resolved.sha256 ?? row.sha256;
    if (expected !== null && expected !== '' && !sha256Matches(expected, file.sha256)) {
      await fsp.rm(file.path, { force: true });
      throw new CopyError(
        'failed',
        'The downloaded file does not match the checksum WhatsApp gave for it (sha256), so it was not kept.',
      );
    }
    return { file, mimeType: specificMimeType(row.mime_type) ?? specificMimeType(resolved.mimeType) };
  }
  if (row.source_kind === 'url') {
    const channel = ChannelSchema.safeParse(account?.channel);
    const platform = channel.success ? CHANNEL_NAMES[channel.data] : 'Meta';
    if (row.source_ref === null || row.source_ref.trim() === '') {
      throw new CopyError('expired', `${platform} gave no address for this file: it has expired.`);
    }
    // CDN links are signed in themselves: no token goes with them.
    const file = await download({
      url: row.source_ref,
      headers: {},
      scratchDir: input.scratchDir,
      signal: input.signal,
      platform,
      forbiddenMeansExpired: true,
    });
    return { file, mimeType: specificMimeType(row.mime_type) };
  }
  throw new CopyError('failed', 'This upload never finished, so there is nothing to copy.');
}
