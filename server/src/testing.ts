/**
 * What tests and benchmarks use to drive a real server: signing and Meta-shaped payloads.
 * Nothing here is a fake of the server itself.
 */
export { signPayload } from './modules/channels/signature.js';
export { messagingTextWebhook, whatsappTextWebhook } from './demo/payloads.js';
export { WEBHOOK_PATHS } from './transport/http/webhooks.js';
export { loadConfig, type ServerConfig } from './config.js';
export { startServer, type RunningServer } from './server.js';
export { upsertChannelAccount } from './modules/channelAccounts/records.js';
export { checkMediaForChannel, MAX_MEDIA_BYTES } from './modules/media/limits.js';
export { USER_AGENT as MEDIA_USER_AGENT } from './modules/media/fetcher.js';
export { scopesChanged, snapshotScopes } from './modules/access/index.js';
export { createTeam, setTeamMembers } from './modules/teams/index.js';
