import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, LOG_FORMATS, LOG_LEVELS, type LogFormat, type ServerConfig } from './platform/config.js';
import { parseSecretKey } from './platform/secrets.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((value) => value === '1' || value === 'true' || value === 'yes');

/** Every environment variable the server reads. The README documents each one. */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  PARLEY_DATA_DIR: z.string().min(1).default(path.resolve(process.cwd(), 'data')),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'Use a PostgreSQL URL: postgres://user:password@host:5432/database')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/[^\s]+$/, 'Use a Redis URL: redis://host:6379 or rediss://user:password@host:6380')
    .optional(),
  PARLEY_WEB_DIR: z.string().min(1).default(path.resolve(here, '../../renderer/dist')),
  PARLEY_PUBLIC_URL: z.string().url().optional(),
  META_APP_SECRET: z.string().min(1).optional(),
  META_VERIFY_TOKEN: z.string().min(1).optional(),
  PARLEY_DEMO: flag,
  PARLEY_SIMULATOR_INTERVAL_MS: z.coerce.number().int().min(100).default(6000),
  PARLEY_SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  PARLEY_ACCESS_TOKEN_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  PARLEY_SECRET_KEY: z.string().min(1).optional(),
  PARLEY_WEBHOOK_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  PARLEY_GRAPH_API_URL: z.string().url().default('https://graph.facebook.com'),
  PARLEY_GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'Use the form v21.0')
    .default('v21.0'),
  PARLEY_CHANNELS_FILE: z.string().min(1).optional(),
  PARLEY_ADMIN_TOKEN: z.string().min(16, 'Use at least 16 characters').optional(),
  PARLEY_MEDIA_DIR: z.string().min(1).optional(),
  PARLEY_S3_ENDPOINT: z.string().url().optional(),
  PARLEY_S3_BUCKET: z.string().min(1).optional(),
  PARLEY_S3_REGION: z.string().min(1).default('us-east-1'),
  PARLEY_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  PARLEY_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  PARLEY_S3_FORCE_PATH_STYLE: flag,
  PARLEY_LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  /** The older name of PARLEY_LOG_LEVEL, still read. */
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  PARLEY_LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
  NODE_ENV: z.string().optional(),
  PARLEY_METRICS_TOKEN: z.string().min(16, 'Use at least 16 characters').optional(),
  PARLEY_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  PARLEY_SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  PARLEY_NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'Use up to 100 letters, digits, dots, dashes, underscores or colons')
    .optional(),
  PARLEY_JOB_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  PARLEY_TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
      "Use true, or the proxies' addresses and networks, separated by commas (10.0.0.0/8, 127.0.0.1)",
    )
    .optional(),
});

/**
 * Which proxies' X-Forwarded-For a node believes (Fastify's `trustProxy`): none by default,
 * since a client could otherwise say it is anyone; `true` for every one; or the proxies'
 * addresses and networks.
 */
function trustProxyOf(value: string | undefined): boolean | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  return value.split(',').map((entry) => entry.trim());
}

/**
 * This process's name among the nodes sharing the database: the host, the process and a
 * few random bytes, so that a restarted process never mistakes itself for its predecessor.
 */
export function defaultNodeId(): string {
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9.-]/g, '')
      .slice(0, 60) || 'node';
  return `${host}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export { ConfigError, type ServerConfig } from './platform/config.js';

/**
 * Pretty, coloured lines for a person at a terminal; JSON lines for everything else (a
 * service manager, a container, a file), and always in production.
 */
export function defaultLogFormat(nodeEnv: string | undefined, stdoutIsTty: boolean): LogFormat {
  return stdoutIsTty && nodeEnv !== 'production' ? 'pretty' : 'json';
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  stdoutIsTty: boolean = process.stdout.isTTY === true,
): ServerConfig {
  // An empty value (`PORT=` in an env file) means unset, not zero.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Parley cannot start: some environment variables are invalid.\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.PARLEY_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    webDir: path.resolve(e.PARLEY_WEB_DIR),
    publicUrl: e.PARLEY_PUBLIC_URL,
    meta: { appSecret: e.META_APP_SECRET, verifyToken: e.META_VERIFY_TOKEN },
    demo: e.PARLEY_DEMO,
    simulatorIntervalMs: e.PARLEY_SIMULATOR_INTERVAL_MS,
    sessionDays: e.PARLEY_SESSION_DAYS,
    accessTokenMinutes: e.PARLEY_ACCESS_TOKEN_MINUTES,
    secretKey: e.PARLEY_SECRET_KEY === undefined ? undefined : parseSecretKey(e.PARLEY_SECRET_KEY),
    webhookBodyLimit: e.PARLEY_WEBHOOK_BODY_LIMIT,
    logLevel: e.PARLEY_LOG_LEVEL ?? e.LOG_LEVEL ?? 'info',
    logFormat: e.PARLEY_LOG_FORMAT ?? defaultLogFormat(e.NODE_ENV, stdoutIsTty),
    metricsToken: e.PARLEY_METRICS_TOKEN,
    shutdownTimeoutMs: e.PARLEY_SHUTDOWN_TIMEOUT_MS,
    shutdownDelayMs: e.PARLEY_SHUTDOWN_DELAY_MS,
    nodeId: e.PARLEY_NODE_ID ?? defaultNodeId(),
    jobLeaseMs: e.PARLEY_JOB_LEASE_MS,
    trustProxy: trustProxyOf(e.PARLEY_TRUST_PROXY),
    graph: { baseUrl: e.PARLEY_GRAPH_API_URL.replace(/\/+$/, ''), version: e.PARLEY_GRAPH_API_VERSION },
    channelsFile: e.PARLEY_CHANNELS_FILE === undefined ? undefined : path.resolve(e.PARLEY_CHANNELS_FILE),
    adminToken: e.PARLEY_ADMIN_TOKEN,
    media: {
      dir: path.resolve(e.PARLEY_MEDIA_DIR ?? path.join(e.PARLEY_DATA_DIR, 'media')),
      s3:
        e.PARLEY_S3_BUCKET === undefined
          ? null
          : {
              endpoint: e.PARLEY_S3_ENDPOINT,
              bucket: e.PARLEY_S3_BUCKET,
              region: e.PARLEY_S3_REGION,
              accessKeyId: requireWith(e.PARLEY_S3_ACCESS_KEY_ID, 'PARLEY_S3_ACCESS_KEY_ID', 'PARLEY_S3_BUCKET'),
              secretAccessKey: requireWith(
                e.PARLEY_S3_SECRET_ACCESS_KEY,
                'PARLEY_S3_SECRET_ACCESS_KEY',
                'PARLEY_S3_BUCKET',
              ),
              forcePathStyle: e.PARLEY_S3_FORCE_PATH_STYLE,
            },
    },
  };
}

function requireWith(value: string | undefined, name: string, because: string): string {
  if (value === undefined) throw new ConfigError(`Parley cannot start: ${name} is required when ${because} is set.`);
  return value;
}
