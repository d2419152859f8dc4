import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../config.js';
import type { MediaService } from '../media/service.js';
import type { Store } from '../store/store.js';

/** Sends agents' messages, reactions and read receipts through Meta's Graph API. */
export class OutboundService {
  constructor(readonly deps: { store: Store; media: MediaService; config: ServerConfig; log: FastifyBaseLogger }) {}

  start(): void {}

  async dispose(): Promise<void> {}
}
