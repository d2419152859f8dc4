import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { PROTOCOL_VERSION, refusal, type ServerInfo } from '@parley/protocol';
import { Agents } from './modules/agents/index.js';
import { SnoozeSweeper } from './modules/assignment/index.js';
import type { ServerConfig } from './config.js';
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  seedDemoAgents,
  seedDemoCannedResponses,
  seedDemoChannels,
  seedDemoStory,
} from './demo/seed.js';
import { authRoutes } from './transport/http/auth.js';
import { webRoutes } from './transport/http/web.js';
import { webhookRoutes } from './transport/http/webhooks.js';
import { startRealtime, type Realtime } from './transport/socket/sockets.js';
import { Simulator } from './demo/simulator.js';
import { loadChannelsFile } from './modules/channelAccounts/index.js';
import { adminRoutes } from './transport/http/admin.js';
import { apiRoutes } from './transport/http/api/index.js';
import { ProfileRefresher, profileFetchEnabled } from './modules/contacts/index.js';
import { MediaService } from './modules/media/index.js';
import { mediaRoutes } from './transport/http/media.js';
import { OutboundService } from './modules/outbound/index.js';
import { openDatabase } from './platform/database.js';
import { demoSecretKey } from './platform/secrets.js';
import { Store } from './platform/store.js';

export const SERVER_VERSION = '0.1.0';

/** An HTTP error body: the refusal without its `ok`. */
function refusalBody(...args: Parameters<typeof refusal>): Omit<ReturnType<typeof refusal>, 'ok'> {
  const { ok: _ok, ...body } = refusal(...args);
  return body;
}

export type RunningServer = {
  url: string;
  port: number;
  app: FastifyInstance;
  store: Store;
  agents: Agents;
  realtime: Realtime;
  simulator: Simulator | null;
  media: MediaService;
  outbound: OutboundService;
  profiles: ProfileRefresher;
  /** Brings snoozed conversations back as open when their time comes. */
  snoozes: SnoozeSweeper;
  close(): Promise<void>;
};

/** Builds and starts the whole server on one port: HTTP routes, webhooks and socket.io. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Tokens and signatures never reach the logs.
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-hub-signature-256"]',
        // Channel account secrets, should an object carrying them ever be logged.
        '*.accessToken',
        '*.appSecret',
        '*.verifyToken',
        '*.access_token',
        '*.app_secret',
        '*.verify_token',
      ],
    },
    // Webhook bodies have their own, configurable limit; everything else is small.
    bodyLimit: 64 * 1024,
    // Closing the server ends every connection, including keep-alive ones mid-response.
    forceCloseConnections: true,
  });

  // Channel secrets are sealed at rest with PARLEY_SECRET_KEY; the demo makes a key up and keeps it.
  const secretKey = config.secretKey ?? (config.demo ? demoSecretKey(config.dataDir) : null);
  const db = await openDatabase(config.dataDir, { secretKey, databaseUrl: config.databaseUrl });
  if (secretKey === null) {
    app.log.warn('PARLEY_SECRET_KEY is not set: channel tokens and secrets are stored unencrypted');
  }
  const store = new Store(db);
  const agents = new Agents(store, config.sessionDays, config.accessTokenMinutes);

  // In demo mode the simulator signs its webhooks with a secret made for this run.
  const appSecret = config.meta.appSecret ?? (config.demo ? randomBytes(24).toString('hex') : undefined);
  if (appSecret === undefined) {
    app.log.info("META_APP_SECRET is not set: webhooks are verified with each channel account's own app secret");
  }

  if (config.demo) {
    const created = await seedDemoAgents(agents);
    if (created > 0) app.log.info({ created }, 'demo accounts created');
    if (appSecret !== undefined) await seedDemoChannels(store, appSecret, config.meta.verifyToken ?? 'parley-demo');
    await seedDemoCannedResponses(store);
  }

  // Every error a client sees has the same shape: { code, reason, params }, never words.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send(refusalBody('internal', 'server_error'));
    }
    request.log.info({ err: error }, 'request refused');
    if (status === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(status).send(refusalBody('too_large', 'body_too_large'));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return reply.code(status).send(refusalBody('bad_request', 'body_not_json'));
    }
    return reply
      .code(status)
      .send(refusalBody('bad_request', 'malformed', { request: 'http', fastifyCode: error.code }));
  });
  await app.register(fastifyCookie);
  app.get('/healthz', async () => {
    await store.head();
    return { status: 'ok' };
  });
  app.get('/api/info', (): ServerInfo => {
    const info: ServerInfo = { name: 'parley', version: SERVER_VERSION, protocolVersion: PROTOCOL_VERSION };
    if (config.demo) {
      info.demoAccounts = DEMO_ACCOUNTS.map((account) => ({ ...account, password: DEMO_PASSWORD }));
    }
    return info;
  });
  // Sockets start after the routes are registered; sign-out reaches them through this.
  let endSession: (key: string) => void = () => undefined;
  await app.register(authRoutes, {
    agents,
    sessionDays: config.sessionDays,
    secureCookies: config.publicUrl?.startsWith('https:') ?? false,
    onSessionEnded: (hash) => endSession(hash),
  });
  await app.register(webhookRoutes, {
    store,
    appSecret,
    verifyToken: config.meta.verifyToken,
    bodyLimit: config.webhookBodyLimit,
  });
  // [wiring:accounts] channel accounts from PARLEY_CHANNELS_FILE, and the admin API.
  try {
    await loadChannelsFile(config.channelsFile, store, app.log);
  } catch (error) {
    // An invalid channels file stops the start (its error names each bad field): close
    // what is already open so the process can exit cleanly.
    await app.close();
    await db.destroy();
    throw error;
  }
  await app.register(adminRoutes, { store, agents, adminToken: config.adminToken });
  // Messenger and Instagram names and pictures, fetched in the background.
  const profiles = new ProfileRefresher({
    store,
    graph: config.graph,
    log: app.log,
    copyAvatar: (accountId, url) => media.copyAvatar(accountId, url),
  });
  // [wiring:media] copies of inbound media, uploads, and authenticated downloads.
  const media = new MediaService({ store, config, log: app.log });
  await app.register(mediaRoutes, { media, agents });
  // [wiring:outbound] sends through the Graph API.
  const outbound = new OutboundService({ store, media, config, log: app.log });
  // [wiring:api] the REST API and its OpenAPI document.
  await apiRoutes(app, { store, agents, outbound });
  await webRoutes(app, config.webDir);

  const realtime = startRealtime(app.server, { store, agents, log: app.log, outbound });
  endSession = (key) => realtime.endSession(key);
  agents.onAccessEnded((agentId) => realtime.endAgent(agentId));
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  media.start();
  outbound.start();
  const snoozes = new SnoozeSweeper(store, {
    onError: (error) => app.log.error({ err: error }, 'waking snoozed conversations failed'),
  });
  snoozes.start();
  if (profileFetchEnabled(config)) profiles.start();

  let simulator: Simulator | null = null;
  if (config.demo && appSecret !== undefined) {
    simulator = new Simulator({ baseUrl: url, appSecret, intervalMs: config.simulatorIntervalMs, log: app.log });
    // A note with a mention, a contact note and a snoozed conversation, once, before the customers start.
    await seedDemoStory({ store, outbound }, simulator).catch((error: unknown) =>
      app.log.warn({ err: error }, 'the demo story could not be played'),
    );
    simulator.start();
  }

  return {
    url,
    port,
    app,
    store,
    agents,
    realtime,
    simulator,
    media,
    outbound,
    profiles,
    snoozes,
    close: async () => {
      simulator?.dispose();
      await snoozes.stop();
      await profiles.dispose();
      await outbound.dispose();
      await media.dispose();
      await realtime.close();
      await app.close();
      await db.destroy();
    },
  };
}
