import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AwsClient } from 'aws4fetch';
import type { ServerConfig } from '../../platform/config.js';

/** An inclusive byte range, as HTTP's Range header counts. */
export type ByteRange = { start: number; end: number };

/**
 * Where copies of media live. Keys are content addresses made by `objectKey` and
 * `thumbnailKey`, so the same file stored twice is one object, and an object never changes.
 */
export type MediaStorage = {
  readonly kind: 'local' | 's3';
  /** A folder on this machine for files being received, before they get a key. */
  readonly scratchDir: string;
  init(): Promise<void>;
  has(key: string): Promise<boolean>;
  /** Stores a scratch file under `key` and takes it: afterwards it is moved or deleted. */
  putFile(key: string, file: string, meta: { contentType: string; size: number; sha256: string }): Promise<void>;
  putBytes(key: string, bytes: Buffer, contentType: string): Promise<void>;
  read(key: string, range?: ByteRange): Promise<Readable>;
  readAll(key: string): Promise<Buffer>;
};

const HEX64 = /^[0-9a-f]{64}$/;

/** The key of a file's bytes: its sha256, fanned out over 256 folders. */
export function objectKey(sha256: string): string {
  if (!HEX64.test(sha256)) throw new Error('A media key needs a lowercase hex sha256.');
  return `objects/${sha256.slice(0, 2)}/${sha256}`;
}

export function thumbnailKey(sha256: string): string {
  if (!HEX64.test(sha256)) throw new Error('A media key needs a lowercase hex sha256.');
  return `thumbnails/${sha256.slice(0, 2)}/${sha256}-320.webp`;
}

const KEY = /^(objects|thumbnails)\/[0-9a-f]{2}\/[0-9a-f]{64}(-320\.webp)?$/;

function checkedKey(key: string): string {
  // Keys come from our own rows; checking them still keeps a bad row from naming any path.
  if (!KEY.test(key)) throw new Error(`Not a media storage key: ${key.slice(0, 80)}`);
  return key;
}

export function createMediaStorage(media: ServerConfig['media']): MediaStorage {
  return media.s3 === null ? new LocalMediaStorage(media.dir) : new S3MediaStorage(media.s3, media.dir);
}

/** A folder on this machine (PARLEY_MEDIA_DIR): `objects/`, `thumbnails/` and `tmp/`. */
export class LocalMediaStorage implements MediaStorage {
  readonly kind = 'local';
  readonly scratchDir: string;

  constructor(private readonly dir: string) {
    this.scratchDir = path.join(dir, 'tmp');
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.scratchDir, { recursive: true });
  }

  private pathOf(key: string): string {
    return path.join(this.dir, ...checkedKey(key).split('/'));
  }

  async has(key: string): Promise<boolean> {
    try {
      await fsp.access(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  async putFile(key: string, file: string): Promise<void> {
    const target = this.pathOf(key);
    try {
      if (await this.has(key)) return;
      await fsp.mkdir(path.dirname(target), { recursive: true });
      try {
        // The scratch folder is inside the media folder, so this is one atomic rename.
        await fsp.rename(file, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        const temp = path.join(this.scratchDir, `${randomUUID()}.part`);
        await fsp.copyFile(file, temp);
        await fsp.rename(temp, target);
      }
    } finally {
      await fsp.rm(file, { force: true });
    }
  }

  async putBytes(key: string, bytes: Buffer): Promise<void> {
    if (await this.has(key)) return;
    const target = this.pathOf(key);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    // Written aside and renamed, so a reader never sees half a file.
    const temp = path.join(this.scratchDir, `${randomUUID()}.part`);
    try {
      await fsp.writeFile(temp, bytes);
      await fsp.rename(temp, target);
    } finally {
      await fsp.rm(temp, { force: true });
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(key);
    // Opened before returning, so a missing object fails here rather than mid-response.
    const handle = await fsp.open(file, 'r');
    return handle.createReadStream(range === undefined ? {} : { start: range.start, end: range.end });
  }

  async readAll(key: string): Promise<Buffer> {
    return fsp.readFile(this.pathOf(key));
  }
}

export type S3Settings = NonNullable<ServerConfig['media']['s3']>;

/**
 * Any S3-compatible store (AWS, MinIO, R2, Ceph…). Requests are signed with SigV4 by
 * aws4fetch and sent with Node's fetch; retries are the media service's business.
 */
export class S3MediaStorage implements MediaStorage {
  readonly kind = 's3';
  readonly scratchDir: string;
  private readonly client: AwsClient;
  private readonly base: URL;

  constructor(
    private readonly settings: S3Settings,
    localDir: string,
  ) {
    this.scratchDir = path.join(localDir, 'tmp');
    this.client = new AwsClient({
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      service: 's3',
      region: settings.region,
      retries: 0,
    });
    this.base = new URL(settings.endpoint ?? `https://s3.${settings.region}.amazonaws.com`);
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.scratchDir, { recursive: true });
  }

  private urlOf(key: string): string {
    const object = checkedKey(key);
    const basePath = this.base.pathname.replace(/\/+$/, '');
    if (this.settings.forcePathStyle) {
      return `${this.base.origin}${basePath}/${encodeURIComponent(this.settings.bucket)}/${object}`;
    }
    return `${this.base.protocol}//${this.settings.bucket}.${this.base.host}${basePath}/${object}`;
  }

  private async request(key: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
    return this.client.fetch(this.urlOf(key), { ...init, signal: init.signal ?? AbortSignal.timeout(10 * 60_000) });
  }

  async has(key: string): Promise<boolean> {
    const response = await this.request(key, { method: 'HEAD', signal: AbortSignal.timeout(30_000) });
    if (response.status === 404) return false;
    if (response.ok) return true;
    throw new Error(`The object store answered HTTP ${response.status} to a HEAD.`);
  }

  async putFile(key: string, file: string, meta: { contentType: string; size: number; sha256: string }): Promise<void> {
    try {
      if (await this.has(key)) return;
      const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;
      const response = await this.request(key, {
        method: 'PUT',
        body,
        headers: {
          'content-type': meta.contentType,
          'content-length': String(meta.size),
          // The real hash rather than UNSIGNED-PAYLOAD: the store checks what it received.
          'x-amz-content-sha256': meta.sha256,
        },
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`The object store answered HTTP ${response.status} to a PUT.`);
    } finally {
      await fsp.rm(file, { force: true });
    }
  }

  async putBytes(key: string, bytes: Buffer, contentType: string): Promise<void> {
    const response = await this.request(key, {
      method: 'PUT',
      body: bytes,
      headers: { 'content-type': contentType },
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`The object store answered HTTP ${response.status} to a PUT.`);
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const headers: Record<string, string> = {};
    if (range !== undefined) headers.range = `bytes=${range.start}-${range.end}`;
    const response = await this.request(key, { method: 'GET', headers });
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw new Error(`The object store answered HTTP ${response.status} to a GET.`);
    }
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  async readAll(key: string): Promise<Buffer> {
    const response = await this.request(key, { method: 'GET' });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`The object store answered HTTP ${response.status} to a GET.`);
    }
    return Buffer.from(await response.arrayBuffer());
  }
}
