import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/store.js';

/** Loads the channel accounts listed in PARLEY_CHANNELS_FILE and upserts them. */
export async function loadChannelsFile(
  _file: string | undefined,
  _store: Store,
  _log: FastifyBaseLogger,
): Promise<number> {
  return Promise.resolve(0);
}
