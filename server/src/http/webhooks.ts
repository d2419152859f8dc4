import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { instagram, messenger } from '../channels/messenger.js';
import { verifySignature } from '../channels/signature.js';
import type { ChannelParser, InboundEvent } from '../channels/types.js';
import { findChannelAccount, type ChannelAccountRow } from '../store/accounts.js';
import { ingestEvents } from '../store/inbound.js';
import { whatsapp } from '../channels/whatsapp.js';
import type { Store } from '../store/store.js';

export type WebhookOptions = {
  store: Store;
  appSecret: string | undefined;
  verifyToken: string | undefined;
  bodyLimit: number;
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

function notConfigured(reply: FastifyReply, variable: string): FastifyReply {
  return reply.code(503).send({
    code: 'not_configured',
    message: `Webhooks are off: set ${variable} to the value from your Meta app's settings and restart the server.`,
  });
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
    app.get(url, (request, reply) => verifyHandshake(request, reply, options));
    app.post(url, { bodyLimit: options.bodyLimit }, (request, reply) => receive(request, reply, parser, options));
  }
  done();
}

function verifyHandshake(request: FastifyRequest, reply: FastifyReply, options: WebhookOptions): FastifyReply {
  if (options.verifyToken === undefined) return notConfigured(reply, 'META_VERIFY_TOKEN');
  const query = VerifyQuerySchema.safeParse(request.query);
  const q = query.success ? query.data : {};
  if (
    q['hub.mode'] !== 'subscribe' ||
    q['hub.verify_token'] !== options.verifyToken ||
    q['hub.challenge'] === undefined
  ) {
    request.log.warn({ mode: q['hub.mode'] }, 'webhook verification refused: wrong mode or verify token');
    return reply.code(403).type('text/plain').send('Verification failed: the verify token does not match.');
  }
  // Echo the challenge exactly: plain text, no JSON, no newline.
  return reply.code(200).type('text/plain').send(q['hub.challenge']);
}

async function receive(
  request: FastifyRequest,
  reply: FastifyReply,
  parser: ChannelParser,
  options: WebhookOptions,
): Promise<FastifyReply> {
  if (options.appSecret === undefined) return notConfigured(reply, 'META_APP_SECRET');
  const raw = request.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    return reply.code(400).send({ code: 'bad_request', message: 'The webhook body is empty.' });
  }
  const signature = request.headers['x-hub-signature-256'];
  if (!verifySignature(raw, typeof signature === 'string' ? signature : undefined, options.appSecret)) {
    request.log.warn(
      { channel: parser.channel, bytes: raw.length },
      'webhook refused: bad or missing X-Hub-Signature-256',
    );
    return reply.code(401).send({ code: 'unauthorized', message: 'The X-Hub-Signature-256 signature does not match.' });
  }

  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    request.log.warn({ channel: parser.channel }, 'webhook refused: body is not JSON');
    return reply.code(400).send({ code: 'bad_request', message: 'The webhook body is not valid JSON.' });
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
    parsed = parser.parse(body);
  } catch (error) {
    const issue = error instanceof z.ZodError ? error.issues[0] : undefined;
    const where = issue === undefined ? '' : ` at ${issue.path.join('.') || 'the top level'}: ${issue.message}`;
    request.log.warn({ channel: parser.channel, issue }, 'webhook refused: unexpected shape');
    return reply
      .code(400)
      .send({ code: 'bad_request', message: `The webhook body does not have the expected shape${where}.` });
  }

  for (const skipped of parsed.skipped) {
    request.log.info({ channel: parser.channel, ...skipped }, 'webhook event acknowledged without storing');
  }
  // Events for accounts this server does not know are logged and acknowledged, not stored.
  const known: (InboundEvent & { account: ChannelAccountRow })[] = [];
  const accounts = new Map<string, ChannelAccountRow | undefined>();
  for (const event of parsed.events) {
    if (!accounts.has(event.accountExternalId)) {
      accounts.set(
        event.accountExternalId,
        await findChannelAccount(options.store, parser.channel, event.accountExternalId),
      );
    }
    const account = accounts.get(event.accountExternalId);
    if (account === undefined) {
      request.log.warn(
        { channel: parser.channel, account: event.accountExternalId },
        'webhook event for an unknown account: acknowledged, not stored',
      );
      continue;
    }
    known.push({ ...event, account });
  }
  // Acknowledge only once stored: if the store fails, Meta's retry brings the event back.
  const result = await ingestEvents(options.store, known);
  request.log.info({ channel: parser.channel, ...result, skipped: parsed.skipped.length }, 'webhook stored');
  return reply.code(200).type('text/plain').send('EVENT_RECEIVED');
}
