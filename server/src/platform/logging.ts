import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.js';

/**
 * The server's logger: pino, handed to Fastify so every request logs with its id.
 * `json` writes one JSON object a line (for a log collector); `pretty` writes short,
 * coloured lines for a person at a terminal. Either way, secrets never reach the output.
 */

const CENSOR = '[redacted]';

/**
 * Every path a secret may sit at in a logged object: request headers that carry
 * credentials, and channel accounts' tokens should an object carrying them be logged.
 * pino's `*` matches one level, so the usual nestings are listed.
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
  'req.headers["x-request-signature"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'authorization',
  'cookie',
  'password',
  '*.password',
  'token',
  '*.token',
  'refreshToken',
  '*.refreshToken',
  'accessToken',
  '*.accessToken',
  '*.*.accessToken',
  'appSecret',
  '*.appSecret',
  '*.*.appSecret',
  'verifyToken',
  '*.verifyToken',
  'access_token',
  '*.access_token',
  '*.*.access_token',
  'app_secret',
  '*.app_secret',
  '*.*.app_secret',
  'verify_token',
  '*.verify_token',
  'signature',
  '*.signature',
  'secret',
  '*.secret',
  'secretAccessKey',
  '*.secretAccessKey',
];

export type LoggerSettings = {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go; stdout unless given (tests capture them). */
  destination?: DestinationStream;
};

export function createLogger(settings: LoggerSettings): Logger {
  const options = {
    level: settings.level,
    redact: { paths: [...REDACTED_PATHS], censor: CENSOR },
    base: settings.format === 'json' ? { service: 'parley' } : null,
  };
  if (settings.format === 'pretty') {
    // Synchronous and in this thread: lines are never lost when the process exits, and
    // nothing is started that a test would have to stop.
    const stream = pretty({
      colorize: settings.destination === undefined ? process.stdout.isTTY === true : false,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,reqId,req,res,responseTime',
      singleLine: true,
      sync: true,
      ...(settings.destination === undefined ? {} : { destination: settings.destination }),
    });
    return pino(options, stream);
  }
  // Written synchronously, so the last lines before an exit are not lost.
  return pino(
    { ...options, timestamp: pino.stdTimeFunctions.isoTime },
    settings.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * An `x-request-id` a proxy or client sent is kept when it is sane (short, no spaces or
 * control characters, so it cannot forge log lines); otherwise the request gets its own.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  if (typeof given === 'string' && SANE_REQUEST_ID.test(given)) return given;
  return randomUUID();
}

/**
 * One line a request, as an access log: its method, path, status and time, once it is
 * answered. Fastify's "incoming request" line is kept for the debug level: at info it
 * doubled the lines of every webhook (and their share of a busy node's CPU) and said nothing
 * the answer's line does not.
 */
export class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
