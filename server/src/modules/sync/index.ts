export { history, pull, type BootstrapBounds, type HistoryBounds } from './sync.js';
