export { history, pull, type BootstrapBounds, type HistoryBounds } from './sync.js';
export { batchFor, changesScopes, type UserBatch } from './fanout.js';
