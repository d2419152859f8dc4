import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { PROTOCOL_VERSION, refusal, type ServerInfo } from '@parley/protocol';
import { Agents } from './modules/agents/index.js';
import { SharedPresence, usePresence } from './modules/presence/index.js';
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
import { databaseProbes, openDatabase } from './platform/database.js';
import { demoSecretKey } from './platform/secrets.js';
import { Store } from './platform/store.js';
import { Lifecycle } from './platform/lifecycle.js';
import { connectRedis, type RedisLink } from './platform/redis.js';
import { shareThrottles } from './platform/throttle.js';
import { AccessLog, createLogger, requestIdOf } from './platform/logging.js';
import { ServerMetrics } from './platform/metrics.js';
import { operationsRoutes } from './transport/http/operations.js';
import type { GraphCallRecord } from './modules/outbound/index.js';
import type { DestinationStream } from 'pino';

/** How long a send already handed to Meta may take to answer during a stop, past the timeout. */
const SEND_ANSWER_GRACE_MS = 2_000;
/** How long a stop waits for the last write to commit before closing the database anyway. */
const LAST_WRITE_WAIT_MS = 5_000;

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
  metrics: ServerMetrics;
  lifecycle: Lifecycle;
  /**
   * Stops gracefully (SIGTERM): /readyz answers 503 and new requests and sockets are
   * refused; webhooks under way are stored and answered and running jobs finish (within
   * the shutdown timeout); sockets are told to reconnect; the database closes last.
   * Calling it again returns the same stop.
   */
  close(): Promise<void>;
};

export type StartOptions = {
  /** Where log lines go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
  /**
   * How often idle sockets' sessions are checked (a second by default). A test that ends a
   * session with a raw write, and watches what its socket is sent, lengthens it.
   */
  sessionSweepMs?: number;
};

/** Builds and starts the whole server on one port: HTTP routes, webhooks and socket.io. */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  // JSON lines or pretty ones (PARLEY_LOG_FORMAT); tokens and signatures never reach them.
  const logger: FastifyBaseLogger = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
  });
  const app = Fastify({
    loggerInstance: logger,
    // Each request's id is in every line it logs; a sane `x-request-id` from a proxy is kept.
    genReqId: requestIdOf,
    // One line a request; at a terminal none: those that matter log their own line.
    logController: new AccessLog({ disableRequestLogging: config.logFormat === 'pretty' }),
    // Webhook bodies have their own, configurable limit; everything else is small.
    bodyLimit: 64 * 1024,
    // Closing the server ends every connection, including keep-alive ones mid-response.
    forceCloseConnections: true,
    // Behind a load balancer, the client's address is the one it forwards.
    trustProxy: config.trustProxy,
  });

  // Channel secrets are sealed at rest with PARLEY_SECRET_KEY; the demo makes a key up and keeps it.
  const secretKey = config.secretKey ?? (config.demo ? demoSecretKey(config.dataDir) : null);
  const db = await openDatabase(config.dataDir, {
    secretKey,
    databaseUrl: config.databaseUrl,
    onConnectionLost: (error) => app.log.warn({ err: error }, 'the database ended a connection; opening another'),
  });
  if (secretKey === null) {
    app.log.warn('PARLEY_SECRET_KEY is not set: channel tokens and secrets are stored unencrypted');
  }
  // Alone (no Redis), a node hands its commits to its sockets in the order they are
  // published: one group transaction at a time keeps that the seq order. Several nodes put
  // them in seq order anyway (the live sequencer), so their concurrent writes may run side by side.
  const store = new Store(db, config.redisUrl === undefined ? { parallelGroups: 1 } : {});
  // Several nodes: Redis between them (socket.io's adapter, the live feed, presence, throttles).
  const redis: RedisLink | null = config.redisUrl === undefined ? null : connectRedis(config.redisUrl, app.log);
  if (redis !== null) {
    const onError = (error: unknown): void => app.log.error({ err: error }, 'presence update failed');
    usePresence(store, new SharedPresence(store, redis, { onError }));
    // WhatsApp's throughput is per business number, whichever node sends.
    shareThrottles(store, redis);
  }
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
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    done(null, payload);
  });
  // [wiring:operations] /healthz, /readyz, /metrics, and the drain on stop.
  const lifecycle = new Lifecycle();
  const metrics = new ServerMetrics();
  if (redis !== null) metrics.redisUpFrom(() => redis.up());
  operationsRoutes(app, {
    lifecycle,
    metrics,
    probes: [...databaseProbes(db), ...(redis === null ? [] : [redis.probe])],
    metricsToken: config.metricsToken,
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
    lifecycle,
    metrics,
  });
  // [wiring:accounts] channel accounts from PARLEY_CHANNELS_FILE, and the admin API.
  try {
    await loadChannelsFile(config.channelsFile, store, app.log);
  } catch (error) {
    // An invalid channels file stops the start (its error names each bad field): close
    // what is already open so the process can exit cleanly.
    await app.close();
    await redis?.close();
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
  const observeGraph = (call: GraphCallRecord): void =>
    metrics.graphCall(
      call.channel,
      call.operation,
      call.error === null ? { ok: true } : { ok: false, code: call.error },
    );
  const media = new MediaService({ store, config, log: app.log, observeGraph });
  metrics.queueDepthFrom('media', () => media.queueDepth());
  await app.register(mediaRoutes, { media, agents });
  // [wiring:outbound] sends through the Graph API.
  const outbound = new OutboundService({ store, media, config, log: app.log, observeGraph });
  metrics.queueDepthFrom('outbound', () => outbound.queueDepth());
  // [wiring:api] the REST API and its OpenAPI document.
  await apiRoutes(app, { store, agents, outbound });
  await webRoutes(app, config.webDir);

  const realtime = startRealtime(app.server, {
    store,
    agents,
    log: app.log,
    outbound,
    metrics,
    ...(options.sessionSweepMs === undefined ? {} : { sessionSweepMs: options.sessionSweepMs }),
    draining: () => lifecycle.draining,
    ...(redis === null ? {} : { redis }),
  });
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

  let stopping: Promise<void> | null = null;
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
    metrics,
    lifecycle,
    close: () => {
      stopping ??= stop();
      return stopping;
    },
  };

  async function stop(): Promise<void> {
    const started = Date.now();
    const remaining = (): number => Math.max(0, config.shutdownTimeoutMs - (Date.now() - started));
    // 1. Not ready: a load balancer stops sending here; new requests and sockets are refused.
    lifecycle.startDraining();
    app.log.info({ timeoutMs: config.shutdownTimeoutMs }, 'stopping: draining requests and jobs');
    if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
    // 2. No new connections. Open ones stay until their requests are answered.
    app.server.close();
    app.server.closeIdleConnections();
    simulator?.dispose();
    await snoozes.stop();
    await profiles.dispose();
    // 3. Requests under way, webhooks first of all, are answered once stored (or, past the
    // timeout, stopped between transactions and answered 503: Meta retries them).
    const settled = await lifecycle.settle(remaining());
    if (!settled) app.log.warn({ inFlight: lifecycle.inFlight }, 'stopping: requests still running at the timeout');
    // 4. Jobs under way finish and are recorded; queued ones wait for the next start. A call
    // to Meta already sent gets a short answer time even past the timeout: cut off, it could
    // only be recorded as "unknown delivery" at the next start.
    await Promise.all([outbound.dispose(Math.max(remaining(), SEND_ANSWER_GRACE_MS)), media.dispose(remaining())]);
    // 5. Sockets are told to go (they reconnect, to another node or to this one restarted).
    await realtime.close();
    await app.close();
    await redis?.close();
    // 6. The database last, once the write under way (a socket's mutation) has committed,
    // waiting no longer than a few seconds for a database that stopped answering.
    await Promise.race([
      store.head().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, LAST_WRITE_WAIT_MS).unref()),
    ]);
    await db.destroy();
    app.log.info({ ms: Date.now() - started }, 'stopped');
  }
}
