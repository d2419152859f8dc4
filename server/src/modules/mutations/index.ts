export { runMutation, type MutationDeps } from './run.js';
export { fingerprintOf } from './log.js';
export * from './permissions.js';
