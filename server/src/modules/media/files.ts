import type { Selectable } from 'kysely';
import type { ServerConfig } from '../../platform/config.js';
import type { Database } from '../../platform/schema.js';
import type { Store } from '../../platform/store.js';
import type { ReceivedFile } from './fetcher.js';
import { baseMimeType } from './limits.js';
import { createMediaStorage, objectKey, thumbnailKey, type MediaStorage } from './storage.js';
import { canThumbnail, makeThumbnail, THUMBNAIL_MIME_TYPE } from './thumbnails.js';

export type MediaRow = Selectable<Database['media']>;

/** Ids are UUIDs; anything else could not be searched for safely inside JSON text. */
export const SAFE_ID = /^[A-Za-z0-9-]{1,100}$/;

/**
 * What the copies and the uploads both stand on: the storage, the `media` rows, and
 * keeping a received file with its thumbnail.
 */
export class MediaFiles {
  readonly storage: MediaStorage;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    media: ServerConfig['media'],
  ) {
    this.storage = createMediaStorage(media);
  }

  /**
   * The storage folders exist. Made on the first write rather than at start, so a server
   * that never handles a file leaves no folder behind.
   */
  whenReady(): Promise<void> {
    this.ready ??= this.storage.init().catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  async find(mediaId: string): Promise<MediaRow | null> {
    if (!SAFE_ID.test(mediaId)) return null;
    const row = await this.store.db.selectFrom('media').selectAll().where('id', '=', mediaId).executeTakeFirst();
    return row ?? null;
  }

  /** Moves a scratch file into storage (taking it), with a thumbnail when it is a picture. */
  async storeFile(
    file: ReceivedFile,
    input: { kind: string; mimeType: string },
  ): Promise<{ storageKey: string; thumbnailKey: string | null }> {
    let thumbnail: Buffer | null = null;
    const picture = input.kind === 'image' || input.kind === 'sticker' || input.mimeType.startsWith('image/');
    if (picture && canThumbnail(input.mimeType)) thumbnail = await makeThumbnail(file.path);
    const storageKey = objectKey(file.sha256);
    await this.storage.putFile(storageKey, file.path, {
      contentType: baseMimeType(input.mimeType),
      size: file.size,
      sha256: file.sha256,
    });
    let thumbKey: string | null = null;
    if (thumbnail !== null) {
      thumbKey = thumbnailKey(file.sha256);
      await this.storage.putBytes(thumbKey, thumbnail, THUMBNAIL_MIME_TYPE);
    }
    return { storageKey, thumbnailKey: thumbKey };
  }
}
