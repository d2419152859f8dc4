export { instagram, messenger } from './messenger.js';
export { signPayload, verifySignature } from './signature.js';
export {
  type ChannelParser,
  type CustomerRef,
  type InboundAttachment,
  type InboundEvent,
  type MessageContent,
} from './types.js';
export { whatsapp } from './whatsapp.js';
