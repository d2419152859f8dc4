/** What the server runs with; `loadConfig` (in the composition root) reads it from the environment. */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `json`: one JSON object a line (pino), for machines; `pretty`: coloured one-line logs for a person. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type ServerConfig = {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL (DATABASE_URL) instead of the SQLite file in `dataDir`. */
  databaseUrl: string | undefined;
  /**
   * Redis (REDIS_URL) between several nodes: socket.io's adapter, the live fan-out's
   * notices, presence, who views a thread, the send throttle. Unset: one node on its own.
   */
  redisUrl: string | undefined;
  webDir: string;
  /** The URL this server is reached at, for the simulator and logs. */
  publicUrl: string | undefined;
  meta: { appSecret: string | undefined; verifyToken: string | undefined };
  demo: boolean;
  simulatorIntervalMs: number;
  /** How long a refresh token (a sign-in) lasts without being used. */
  sessionDays: number;
  /** How long an access token lasts; a client refreshes it with its refresh token. */
  accessTokenMinutes: number;
  /** Seals channel secrets at rest (PARLEY_SECRET_KEY, 32 bytes); the demo makes one up. */
  secretKey: Buffer | undefined;
  webhookBodyLimit: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Bearer token /metrics asks for; without it, /metrics is open (bind it to a private network). */
  metricsToken: string | undefined;
  /** On SIGTERM: how long in-flight webhooks and running jobs may take to finish. */
  shutdownTimeoutMs: number;
  /** On SIGTERM: how long /readyz answers 503 before the server stops taking requests, for a load balancer to notice. */
  shutdownDelayMs: number;
  /**
   * This node's name among those sharing the database (PARLEY_NODE_ID): it owns the jobs and
   * media copies it claims. Unique per running process.
   */
  nodeId: string;
  /** How long a node's claim on a job or a copy holds unless renewed; a dead node's work is taken over after it. */
  jobLeaseMs: number;
  /**
   * The proxies whose X-Forwarded-For gives a request's address (PARLEY_TRUST_PROXY): the
   * sign-in throttle and the logs then see the client, not the load balancer.
   */
  trustProxy: boolean | string[];
  /** Meta's Graph API; tests and the demo point this at a local fake. */
  graph: { baseUrl: string; version: string };
  /** A JSON file of channel accounts, loaded (and upserted) at start. */
  channelsFile: string | undefined;
  /** Bearer token for the admin API, for automation without an admin account. */
  adminToken: string | undefined;
  media: {
    dir: string;
    s3: {
      endpoint: string | undefined;
      bucket: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
      forcePathStyle: boolean;
    } | null;
  };
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
