export { history, pull, type BootstrapBounds, type HistoryBounds } from './sync.js';
export { LiveSends, QUIET_BATCH_EVERY_MS, batchFor, changesScopes, type UserBatch } from './fanout.js';
