export { OutboundService } from './worker.js';
export { type GraphCallRecord } from './graph.js';
export { type MarkReadMutation, type ReactMutation, type SendMutation } from './commands.js';
