export { OutboundService } from './worker.js';
export { type MarkReadMutation, type ReactMutation, type SendMutation } from './commands.js';
