import type { Channel } from '@parley/protocol';
import { MediaCopyWorker, type MediaCopyWorkerDeps } from './copy-worker.js';
import type { ReceivedFile } from './fetcher.js';
import { MediaFiles, type MediaRow } from './files.js';
import type { MediaStorage } from './storage.js';
import { MediaUploads, type MediaForSend, type MediaUpload, type UploadToAccept } from './uploads.js';

export type MediaServiceDeps = Omit<MediaCopyWorkerDeps, 'files'>;

/**
 * Media, as the rest of the server sees it: the copy worker (copies inbound media from
 * Meta into our own storage) and the uploads (agents' files, and the bytes the senders
 * send), on one storage.
 */
export class MediaService {
  readonly storage: MediaStorage;
  private readonly files: MediaFiles;
  private readonly worker: MediaCopyWorker;
  private readonly uploads: MediaUploads;

  constructor(readonly deps: MediaServiceDeps) {
    this.files = new MediaFiles(deps.store, deps.config.media);
    this.storage = this.files.storage;
    this.worker = new MediaCopyWorker({ ...deps, files: this.files });
    this.uploads = new MediaUploads({ store: deps.store, files: this.files, copyPending: () => this.worker.kick() });
  }

  /** Starts the copy worker; rows left pending by an earlier run are picked up at once. */
  start(): void {
    this.worker.start();
  }

  /**
   * Stops the copy worker. Copies under way get `graceMs` to finish (a server stopping on
   * SIGTERM); past it, or with no grace, they stop and stay pending: the next start resumes them.
   */
  dispose(graceMs = 0): Promise<void> {
    return this.worker.dispose(graceMs);
  }

  /** Copies waiting or under way (the metrics' queue depth). */
  queueDepth(): Promise<number> {
    return this.worker.queueDepth();
  }

  /** Looks for due copies now rather than at the next poll. */
  kick(): void {
    this.worker.kick();
  }

  /** The storage folders exist (made on the first write). */
  whenReady(): Promise<void> {
    return this.files.whenReady();
  }

  find(mediaId: string): Promise<MediaRow | null> {
    return this.files.find(mediaId);
  }

  /** Streams an agent's upload into the scratch folder, refusing it past MAX_MEDIA_BYTES. */
  receiveUpload(source: NodeJS.ReadableStream): Promise<ReceivedFile> {
    return this.uploads.receiveUpload(source);
  }

  discardScratch(file: ReceivedFile): Promise<void> {
    return this.uploads.discardScratch(file);
  }

  /** The platform and business account of a conversation, to check an upload against. */
  conversationChannel(conversationId: string): Promise<{ channel: Channel; channelAccountId: string } | null> {
    return this.uploads.conversationChannel(conversationId);
  }

  /**
   * Checks a received upload against the destination's limits and keeps it. Takes the
   * scratch file: it is stored or deleted. Throws MediaRefusedError with the reason.
   */
  acceptUpload(input: UploadToAccept): Promise<MediaUpload> {
    return this.uploads.acceptUpload(input);
  }

  /**
   * The bytes of a stored file, for a send to `channel`. Throws a MediaRefusedError saying
   * why it cannot be sent (not ready, gone, or past the channel's limits).
   */
  readForSend(mediaId: string, channel: Channel): Promise<MediaForSend> {
    return this.uploads.readForSend(mediaId, channel);
  }

  /**
   * Starts a copy of a contact's profile picture and returns the media id to put in
   * `contacts.avatar_media_id` (null for an address that is not a web URL).
   */
  copyAvatar(accountId: string, url: string): Promise<string | null> {
    return this.uploads.copyAvatar(accountId, url);
  }
}
