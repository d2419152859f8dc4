/**
 * What tests and benchmarks use to drive a real server: signing and Meta-shaped payloads.
 * Nothing here is a fake of the server itself.
 */
export { signPayload } from './channels/signature.js';
export { messagingTextWebhook, whatsappTextWebhook } from './simulator/payloads.js';
export { WEBHOOK_PATHS } from './http/webhooks.js';
export { loadConfig, type ServerConfig } from './config.js';
export { startServer, type RunningServer } from './server.js';
export { upsertChannelAccount } from './store/accounts.js';
export { checkMediaForChannel, MAX_MEDIA_BYTES } from './media/limits.js';
export { USER_AGENT as MEDIA_USER_AGENT } from './media/fetcher.js';
