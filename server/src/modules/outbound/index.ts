export { OutboundService } from './outbound.js';
export { type MarkReadMutation, type ReactMutation, type SendMutation } from './commands.js';
