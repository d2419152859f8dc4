import fsp from 'node:fs/promises';
import { AttachmentSchema, ChannelSchema, type AttachmentKind, type Channel } from '@parley/protocol';
import { newId } from '../../platform/ids.js';
import type { Store } from '../../platform/store.js';
import { receiveToScratch, type ReceivedFile } from './fetcher.js';
import type { MediaFiles } from './files.js';
import { attachmentKindFor, baseMimeType, checkMediaForChannel, type MediaRefusal, MAX_MEDIA_BYTES } from './limits.js';
import { resolveMimeType, sniffMimeType, SNIFF_BYTES } from './sniff.js';

export type MediaForSend = {
  bytes: Buffer;
  mimeType: string;
  fileName: string | null;
  kind: AttachmentKind;
  size: number;
};

/** What POST /api/media answers. */
export type MediaUpload = {
  mediaId: string;
  kind: AttachmentKind;
  mimeType: string;
  size: number;
  fileName: string | null;
};

/** A received upload, with what the agent said of it and where it is meant to go. */
export type UploadToAccept = {
  file: ReceivedFile;
  declaredMimeType: string | null;
  fileName: string | null;
  kind: AttachmentKind | null;
  channel: Channel;
  channelAccountId: string | null;
  /** Who uploaded it: they may read it back before it is in any message. */
  uploadedBy?: string;
};

/** An agent's file that Parley refuses, with why as a reason and params (answered as `media_invalid`). */
export class MediaRefusedError extends Error {
  override readonly name = 'MediaRefusedError';
  constructor(
    readonly refusal: MediaRefusal,
    /** 413 when the file is past what Parley accepts at all, else 400. */
    readonly statusCode: 400 | 413 = 400,
  ) {
    super(refusal.reason);
  }
}

/** A file name safe to store and to put in a header: no folders, no control characters. */
export function cleanFileName(name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return null;
  return cleaned.length > 200 ? cleaned.slice(cleaned.length - 200) : cleaned;
}

/**
 * The agents' side of media: takes their uploads, hands stored files' bytes to the
 * senders, and starts the copy of a contact's picture.
 */
export class MediaUploads {
  constructor(
    private readonly deps: {
      store: Store;
      files: MediaFiles;
      /** Tells the copy worker a new copy waits. */
      copyPending: () => void;
    },
  ) {}

  /** Streams an agent's upload into the scratch folder, refusing it past MAX_MEDIA_BYTES. */
  async receiveUpload(source: NodeJS.ReadableStream): Promise<ReceivedFile> {
    await this.deps.files.whenReady();
    return receiveToScratch(
      source,
      this.deps.files.storage.scratchDir,
      MAX_MEDIA_BYTES,
      () => new MediaRefusedError({ reason: 'media_too_large', params: { maxBytes: MAX_MEDIA_BYTES } }, 413),
    );
  }

  async discardScratch(file: ReceivedFile): Promise<void> {
    await fsp.rm(file.path, { force: true });
  }

  /** The platform and business account of a conversation, to check an upload against. */
  async conversationChannel(conversationId: string): Promise<{ channel: Channel; channelAccountId: string } | null> {
    const row = await this.deps.store.db
      .selectFrom('conversations')
      .select(['channel', 'channel_account_id'])
      .where('id', '=', conversationId)
      .executeTakeFirst();
    const channel = ChannelSchema.safeParse(row?.channel);
    if (row === undefined || !channel.success) return null;
    return { channel: channel.data, channelAccountId: row.channel_account_id };
  }

  /**
   * Checks a received upload against the destination's limits and keeps it. Takes the
   * scratch file: it is stored or deleted. Throws MediaRefusedError with the reason.
   */
  async acceptUpload(input: UploadToAccept): Promise<MediaUpload> {
    const { file } = input;
    try {
      const fileName = cleanFileName(input.fileName);
      const sniffed = sniffMimeType(file.head);
      const mimeType = resolveMimeType({ sniffed, declared: input.declaredMimeType, fileName });
      if (mimeType === null) {
        throw new MediaRefusedError({ reason: 'media_type_unknown', params: { channel: input.channel } });
      }
      // WhatsApp takes WebP only as a sticker, so that is what a WebP is there.
      const kind =
        input.kind ??
        (input.channel === 'whatsapp' && baseMimeType(mimeType) === 'image/webp'
          ? 'sticker'
          : attachmentKindFor(mimeType));
      const refusal = checkMediaForChannel(input.channel, {
        kind,
        mimeType,
        size: file.size,
        animated: sniffed?.animated ?? false,
      });
      if (refusal !== null) throw new MediaRefusedError(refusal);
      const stored = await this.deps.files.storeFile(file, { kind, mimeType });
      const id = newId();
      const now = Date.now();
      await this.deps.store.db
        .insertInto('media')
        .values({
          id,
          channel_account_id: input.channelAccountId,
          kind,
          status: 'ready',
          mime_type: mimeType,
          file_name: fileName,
          size: file.size,
          sha256: file.sha256,
          source_kind: 'upload',
          source_ref: input.uploadedBy ?? null,
          storage_key: stored.storageKey,
          thumbnail_key: stored.thumbnailKey,
          error: null,
          attempts: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return { mediaId: id, kind, mimeType, size: file.size, fileName };
    } finally {
      await fsp.rm(file.path, { force: true });
    }
  }

  /**
   * The bytes of a stored file, for a send to `channel`. Throws a MediaRefusedError saying
   * why it cannot be sent (not ready, gone, or past the channel's limits).
   */
  async readForSend(mediaId: string, channel: Channel): Promise<MediaForSend> {
    const row = await this.deps.files.find(mediaId);
    if (row === null) throw new MediaRefusedError({ reason: 'media_missing', params: {} });
    if (row.status === 'pending') throw new MediaRefusedError({ reason: 'media_pending', params: {} });
    if (row.status !== 'ready' || row.storage_key === null || row.size === null) {
      throw new MediaRefusedError({ reason: 'media_unavailable', params: { status: row.status } });
    }
    const kind = AttachmentSchema.shape.kind.safeParse(row.kind);
    if (!kind.success)
      throw new MediaRefusedError({ reason: 'media_kind_unsupported', params: { channel, kind: row.kind } });
    const bytes = await this.deps.files.storage.readAll(row.storage_key);
    const mimeType = row.mime_type ?? 'application/octet-stream';
    const refusal = checkMediaForChannel(channel, {
      kind: kind.data,
      mimeType,
      size: bytes.length,
      animated: sniffMimeType(bytes.subarray(0, SNIFF_BYTES))?.animated ?? false,
    });
    if (refusal !== null) throw new MediaRefusedError(refusal);
    return { bytes, mimeType, fileName: row.file_name, kind: kind.data, size: bytes.length };
  }

  /**
   * Starts a copy of a contact's profile picture and returns the media id to put in
   * `contacts.avatar_media_id`; the picture is served once the copy is done. Null for an
   * address that is not a web URL.
   */
  async copyAvatar(accountId: string, url: string): Promise<string | null> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
    const existing = await this.deps.store.db
      .selectFrom('media')
      .select('id')
      .where('source_kind', '=', 'url')
      .where('source_ref', '=', url)
      .where('status', 'in', ['pending', 'ready'])
      .executeTakeFirst();
    if (existing !== undefined) return existing.id;
    const id = newId();
    const now = Date.now();
    await this.deps.store.db
      .insertInto('media')
      .values({
        id,
        channel_account_id: accountId,
        kind: 'image',
        status: 'pending',
        mime_type: null,
        file_name: null,
        size: null,
        sha256: null,
        source_kind: 'url',
        source_ref: url,
        storage_key: null,
        thumbnail_key: null,
        error: null,
        attempts: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    this.deps.copyPending();
    return id;
  }
}
