import { createHash, timingSafeEqual } from 'node:crypto';
import type { Channel } from '@parley/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { instagram, messenger } from '../../modules/channels/index.js';
import { verifySignature } from '../../modules/channels/index.js';
import type { ChannelParser, InboundEvent } from '../../modules/channels/index.js';
import {
  channelAccountsForWebhooks,
  listChannelAccounts,
  type ChannelAccountRow,
} from '../../modules/channelAccounts/index.js';
import { IngestInterruptedError, ingestEvents } from '../../modules/inbound/index.js';
import { whatsapp } from '../../modules/channels/index.js';
import { sendApiError } from './errors.js';
import type { Lifecycle } from '../../platform/lifecycle.js';
import type { ServerMetrics } from '../../platform/metrics.js';
import { runInSlices } from '../../platform/slices.js';
import type { Store } from '../../platform/store.js';

export type WebhookOptions = {
  store: Store;
  /**
   * META_APP_SECRET and META_VERIFY_TOKEN: accepted on every channel besides each
   * account's own, for a server whose accounts all sit in one Meta app.
   */
  appSecret: string | undefined;
  verifyToken: string | undefined;
  bodyLimit: number;
  lifecycle: Lifecycle;
  metrics: ServerMetrics;
};

/** The URLs an operator pastes into Meta's dashboard. Keep them stable. */
export const WEBHOOK_PATHS = {
  whatsapp: '/webhooks/whatsapp',
  messenger: '/webhooks/messenger',
  instagram: '/webhooks/instagram',
} as const;

const VerifyQuerySchema = z.object({
  'hub.mode': z.string().optional(),
  'hub.verify_token': z.string().optional(),
  'hub.challenge': z.string().optional(),
});

function notConfigured(reply: FastifyReply, channel: Channel, variable: string): FastifyReply {
  // For operators: no account of this channel is configured and `variable` is not set.
  return sendApiError(reply, 503, 'not_configured', undefined, { channel, variable });
}

/**
 * The request line of a webhook, for the access log, without its query string: the
 * handshake carries the verify token there (`?hub.verify_token=…`).
 */
function requestWithoutQuery(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url.split('?', 1)[0],
    host: request.host,
    remoteAddress: request.ip,
  };
}

/** Equal-length digests, so comparing a guess takes the same time however close it is. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function webhookRoutes(app: FastifyInstance, options: WebhookOptions, done: () => void): void {
  // Signatures are computed over the exact bytes Meta sent, so the body stays a Buffer
  // here and is parsed only after it is verified.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) => {
    done(null, body);
  });

  for (const parser of [whatsapp, messenger, instagram]) {
    const url = WEBHOOK_PATHS[parser.channel];
    const logSerializers = { req: requestWithoutQuery };
    app.get(url, { logSerializers }, (request, reply) => verifyHandshake(request, reply, parser.channel, options));
    app.post(url, { bodyLimit: options.bodyLimit, logSerializers }, (request, reply) =>
      // Tracked, so a server stopping waits until what it acknowledges is stored.
      options.lifecycle.track(counted(request, reply, parser, options)),
    );
  }
  done();
}

/**
 * Meta's subscription handshake. Each account has its own verify token (and the global one
 * is accepted too): the token typed into a Meta app's settings matches any of them.
 */
async function verifyHandshake(
  request: FastifyRequest,
  reply: FastifyReply,
  channel: Channel,
  options: WebhookOptions,
): Promise<FastifyReply> {
  const accounts = await listChannelAccounts(options.store, channel);
  const tokens = new Set(accounts.map((account) => account.verify_token));
  if (options.verifyToken !== undefined) tokens.add(options.verifyToken);
  if (tokens.size === 0) return notConfigured(reply, channel, 'META_VERIFY_TOKEN');
  const query = VerifyQuerySchema.safeParse(request.query);
  const q = query.success ? query.data : {};
  const given = q['hub.verify_token'];
  let matches = false;
  if (given !== undefined) {
    // Every token is compared, so the time taken says nothing about which one (or how much) matched.
    const givenDigest = digest(given);
    for (const token of tokens) matches = timingSafeEqual(givenDigest, digest(token)) || matches;
  }
  if (q['hub.mode'] !== 'subscribe' || !matches || q['hub.challenge'] === undefined) {
    request.log.warn({ channel, mode: q['hub.mode'] }, 'webhook verification refused: wrong mode or verify token');
    return reply.code(403).type('text/plain').send('Verification failed: the verify token does not match.');
  }
  // Echo the challenge exactly: plain text, no JSON, no newline.
  return reply.code(200).type('text/plain').send(q['hub.challenge']);
}

/**
 * The App Secret, among those configured for the channel, that signed these bytes; null when
 * none did. Several Meta apps may post to the same URL, each signing with its own secret.
 */
function signingSecret(raw: Buffer, header: string | undefined, secrets: ReadonlySet<string>): string | null {
  let found: string | null = null;
  // No early exit: every secret costs the same HMAC whether or not an earlier one matched.
  for (const secret of secrets) {
    if (verifySignature(raw, header, secret) && found === null) found = secret;
  }
  return found;
}

/** `receive`, counted in the metrics: every POST, and those not acknowledged by why. */
async function counted(
  request: FastifyRequest,
  reply: FastifyReply,
  parser: ChannelParser,
  options: WebhookOptions,
): Promise<FastifyReply> {
  const channel = parser.channel;
  const { metrics } = options;
  metrics.webhooksReceived.inc({ channel });
  try {
    const answered = await receive(request, reply, parser, options);
    if (reply.statusCode >= 400) {
      const reason = reply.statusCode === 401 ? 'signature' : reply.statusCode === 503 ? 'not_configured' : 'malformed';
      metrics.webhooksFailed.inc({ channel, reason });
    }
    return answered;
  } catch (error) {
    if (error instanceof IngestInterruptedError) {
      // The server is stopping: what was stored stays, Meta's retry brings the rest.
      metrics.webhooksFailed.inc({ channel, reason: 'shutting_down' });
      request.log.warn({ channel, err: error }, 'webhook interrupted by shutdown: answered 503, Meta will retry');
      return sendApiError(reply.header('retry-after', '1'), 503, 'unavailable', undefined, { state: 'shutting_down' });
    }
    metrics.webhooksFailed.inc({ channel, reason: 'store_failed' });
    throw error;
  }
}

async function receive(
  request: FastifyRequest,
  reply: FastifyReply,
  parser: ChannelParser,
  options: WebhookOptions,
): Promise<FastifyReply> {
  // The accounts as read a moment ago; read again before refusing anything on their account
  // (another node may have just added or changed one).
  let accounts = await channelAccountsForWebhooks(options.store, parser.channel);
  let fresh = false;
  const readAgain = async (): Promise<void> => {
    accounts = await channelAccountsForWebhooks(options.store, parser.channel, { fresh: true });
    fresh = true;
  };
  const secretsOf = (rows: readonly ChannelAccountRow[]): Set<string> => {
    const secrets = new Set(rows.map((account) => account.app_secret));
    if (options.appSecret !== undefined) secrets.add(options.appSecret);
    return secrets;
  };
  if (secretsOf(accounts).size === 0) await readAgain();
  if (secretsOf(accounts).size === 0) return notConfigured(reply, parser.channel, 'META_APP_SECRET');
  const raw = request.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    return sendApiError(reply, 400, 'bad_request', 'webhook_empty');
  }
  const signature =
    typeof request.headers['x-hub-signature-256'] === 'string' ? request.headers['x-hub-signature-256'] : undefined;
  let secret = signingSecret(raw, signature, secretsOf(accounts));
  if (secret === null && !fresh) {
    await readAgain();
    secret = signingSecret(raw, signature, secretsOf(accounts));
  }
  if (secret === null) {
    request.log.warn(
      { channel: parser.channel, bytes: raw.length },
      'webhook refused: bad or missing X-Hub-Signature-256',
    );
    return sendApiError(reply, 401, 'unauthorized', 'webhook_signature_mismatch');
  }

  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    request.log.warn({ channel: parser.channel }, 'webhook refused: body is not JSON');
    return sendApiError(reply, 400, 'bad_request', 'body_not_json');
  }
  const objectField = z.looseObject({ object: z.string() }).safeParse(body);
  if (objectField.success && objectField.data.object !== parser.object) {
    request.log.warn(
      { channel: parser.channel, object: objectField.data.object },
      'webhook for another object: acknowledged, nothing stored',
    );
    return reply.code(200).send('EVENT_RECEIVED');
  }

  let parsed;
  try {
    // One item a step, handing the event loop back every few milliseconds.
    parsed = await runInSlices(parser.steps(body));
  } catch (error) {
    const issue = error instanceof z.ZodError ? error.issues[0] : undefined;
    request.log.warn({ channel: parser.channel, issue }, 'webhook refused: unexpected shape');
    return sendApiError(reply, 400, 'bad_request', 'webhook_malformed', {
      path: issue === undefined ? '' : issue.path.map(String).join('.'),
    });
  }

  for (const skipped of parsed.skipped) {
    request.log.info({ channel: parser.channel, ...skipped }, 'webhook event acknowledged without storing');
  }
  // Events for accounts this server does not know are logged and acknowledged, not stored.
  // So are events for an account of another Meta app: the secret that signed this body
  // vouches only for the accounts configured with it.
  const placed = (event: InboundEvent): boolean => {
    const account = accounts.find((candidate) => candidate.external_id === event.accountExternalId);
    return account !== undefined && account.app_secret === secret;
  };
  if (!fresh && !parsed.events.every(placed)) await readAgain();
  const byExternalId = new Map(accounts.map((account) => [account.external_id, account]));
  const known: (InboundEvent & { account: ChannelAccountRow })[] = [];
  for (const event of parsed.events) {
    const account = byExternalId.get(event.accountExternalId);
    if (account === undefined) {
      request.log.warn(
        { channel: parser.channel, account: event.accountExternalId, event: event.type },
        'webhook event for an unknown account: acknowledged, not stored',
      );
      continue;
    }
    if (account.app_secret !== secret) {
      request.log.warn(
        { channel: parser.channel, account: event.accountExternalId, event: event.type },
        "webhook event for an account of another Meta app (signed with another app's secret): dropped",
      );
      continue;
    }
    known.push({ ...event, account });
  }
  // Acknowledge only once stored: if the store fails, Meta's retry brings the event back.
  const receivedAt = performance.now() - reply.elapsedTime;
  const result = await ingestEvents(options.store, known, {
    origin: { channel: parser.channel, receivedAt },
    signal: options.lifecycle.signal,
  });
  for (const outcome of ['stored', 'updated', 'duplicates', 'ignored'] as const) {
    if (result[outcome] > 0) {
      options.metrics.webhookEvents.inc(
        { channel: parser.channel, outcome: outcome === 'duplicates' ? 'duplicate' : outcome },
        result[outcome],
      );
    }
  }
  request.log.info({ channel: parser.channel, ...result, skipped: parsed.skipped.length }, 'webhook stored');
  return reply.code(200).type('text/plain').send('EVENT_RECEIVED');
}
