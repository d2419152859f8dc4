import type { AttachmentKind, Channel } from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../config.js';
import type { Store } from '../store/store.js';

export type MediaForSend = {
  bytes: Buffer;
  mimeType: string;
  fileName: string | null;
  kind: AttachmentKind;
  size: number;
};

/**
 * Copies inbound media from Meta into our own storage, serves it to signed-in clients,
 * takes agents' uploads, and hands their bytes to the senders.
 */
export class MediaService {
  constructor(readonly deps: { store: Store; config: ServerConfig; log: FastifyBaseLogger }) {}

  start(): void {}

  async dispose(): Promise<void> {}

  /** The bytes of an uploaded file, for a send to `channel`. */
  readForSend(_mediaId: string, _channel: Channel): Promise<MediaForSend> {
    return Promise.reject(new Error('Media sending is not available yet.'));
  }
}
