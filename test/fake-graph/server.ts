import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of Meta's Graph API on 127.0.0.1, speaking the documented request and answer
 * shapes (CHANNELS.md §3) for what Parley calls: WhatsApp sends, uploads, media lookups and
 * templates; Messenger and Instagram sends, sender actions, attachment uploads and
 * profiles. It records every call so tests can assert exactly what was sent, answers with
 * queued errors where a test asks for them, and can post signed status webhooks back to a
 * Parley server, so the demo sends replies with no Meta account.
 *
 * It is strict where Meta is: a request missing a required field gets Meta's (#100)
 * error, so a wrong body fails a test instead of passing silently.
 */

export type FakeChannel = 'whatsapp' | 'messenger' | 'instagram';

export type RecordedFile = { fileName: string; type: string; size: number; sha256: string };

export type RecordedCall = {
  /** 1, 2, 3… in the order requests arrived. */
  n: number;
  method: string;
  /** The path after the version (`/106540352242922/messages`), or the whole path when unversioned. */
  path: string;
  version: string | null;
  query: Record<string, string>;
  /** Lower-cased names. `authorization` is replaced by its scheme, never the token. */
  headers: Record<string, string>;
  auth: {
    scheme: 'bearer' | 'none' | 'other';
    /** Whether the bearer token is the one configured for this id; null when none is configured. */
    tokenOk: boolean | null;
    /** An `access_token` in the query string: Parley must never do that. */
    tokenInQuery: boolean;
  };
  /** Parsed JSON; for multipart, the fields, with files as their name, type, size and hash. */
  body: unknown;
  receivedAt: number;
  answeredAt: number | null;
  status: number | null;
};

export type CallMatch = { method?: string; path?: string | RegExp };

/** What a queued answer does instead of the normal one. */
export type QueuedAnswer = {
  status: number;
  body?: unknown;
  /** Answer this late (a slow Meta); the request is recorded on arrival. */
  delayMs?: number;
  /** Close the connection without answering (after `delayMs`): a call whose outcome is unknown. */
  drop?: boolean;
};

export type GraphErrorInput = {
  status?: number;
  code: number;
  subcode?: number;
  message?: string;
  type?: string;
  details?: string;
  delayMs?: number;
};

/** Meta's error envelope, as the Graph API answers it. */
export function graphError(input: GraphErrorInput): QueuedAnswer {
  return {
    status: input.status ?? 400,
    delayMs: input.delayMs,
    body: {
      error: {
        message: input.message ?? `(#${input.code}) Error ${input.code}`,
        type: input.type ?? 'OAuthException',
        code: input.code,
        ...(input.subcode === undefined ? {} : { error_subcode: input.subcode }),
        ...(input.details === undefined
          ? {}
          : { error_data: { messaging_product: 'whatsapp', details: input.details } }),
        fbtrace_id: `A${randomBytes(9).toString('base64url')}`,
      },
    },
  };
}

/** A template as `GET /{waba-id}/message_templates` lists it. */
export type FakeTemplate = {
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: Record<string, unknown>[];
  id?: string;
};

export type FakeGraphOptions = {
  /** 0 (a free port) unless given. Always 127.0.0.1. */
  port?: number;
  /** Which channel each business id is (for webhooks); a WhatsApp send says so itself. */
  accounts?: Record<string, FakeChannel>;
  /** Expected bearer token per business id (phone number id, Page id, IG id, WABA id). */
  tokens?: Record<string, string>;
  /** Templates per WABA id. */
  templates?: Record<string, FakeTemplate[]>;
  /** Templates per page of `message_templates` (paging is followed by cursor). */
  templatePageSize?: number;
  /** Post signed status webhooks back to Parley for each send (the demo). */
  webhooks?: { parleyUrl: string; appSecret: string; delayMs?: number };
  /** Answer any unknown media id with a small generated picture (the demo). */
  placeholderMedia?: boolean;
  log?: (line: string) => void;
};

export type FakeGraph = {
  /** e.g. http://127.0.0.1:41234 — what PARLEY_GRAPH_API_URL is set to. */
  url: string;
  port: number;
  readonly calls: readonly RecordedCall[];
  /** Calls matching method and path (a string is an exact path after the version). */
  callsTo(match: CallMatch): RecordedCall[];
  /** Resolves once `count` calls match (already made or still to come); rejects after `timeoutMs`. */
  waitForCalls(match: CallMatch, count: number, timeoutMs?: number): Promise<RecordedCall[]>;
  /** The next matching requests get these answers, in order, one each. */
  queue(match: CallMatch, ...answers: QueuedAnswer[]): void;
  setTemplates(wabaId: string, templates: FakeTemplate[]): void;
  /** Stores a file as if a customer had sent it; answers its media id. */
  addMedia(bytes: Buffer, mimeType: string, fileName?: string): string;
  /** The bytes of an uploaded file (WhatsApp media or a Messenger attachment). */
  uploaded(id: string): { bytes: Buffer; mimeType: string; fileName: string | null } | undefined;
  /** Forgets the recorded calls and queued answers. */
  reset(): void;
  close(): Promise<void>;
};

type StoredMedia = { bytes: Buffer; mimeType: string; fileName: string | null; sha256: string };

const VERSION = /^v\d+\.\d+$/;
const WEBHOOK_PATHS: Record<FakeChannel, string> = {
  whatsapp: '/webhooks/whatsapp',
  messenger: '/webhooks/messenger',
  instagram: '/webhooks/instagram',
};

/** A 1×1 PNG, for placeholder pictures. */
const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly contentType = 'application/json',
  ) {}
}

function invalidParameter(message: string): HttpAnswer {
  const queued = graphError({ code: 100, message: `(#100) ${message}`, type: 'OAuthException' });
  return new HttpAnswer(queued.status, queued.body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matches(call: { method: string; path: string }, match: CallMatch): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== call.method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === call.path : match.path.test(call.path);
}

async function readBody(request: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

type ParsedForm = {
  fields: Record<string, string>;
  files: Record<string, { bytes: Buffer; type: string; fileName: string }>;
};

async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedForm> {
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const parsed: ParsedForm = { fields: {}, files: {} };
  const entries: [string, FormDataEntryValue][] = [];
  form.forEach((value, name) => entries.push([name, value]));
  for (const [name, value] of entries) {
    if (typeof value === 'string') parsed.fields[name] = value;
    else parsed.files[name] = { bytes: Buffer.from(await value.arrayBuffer()), type: value.type, fileName: value.name };
  }
  return parsed;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function randomDigits(length: number): string {
  let digits = String(1 + Math.floor(Math.random() * 9));
  while (digits.length < length) digits += String(Math.floor(Math.random() * 10));
  return digits;
}

export async function startFakeGraph(options: FakeGraphOptions = {}): Promise<FakeGraph> {
  const calls: RecordedCall[] = [];
  const queued: { match: CallMatch; answer: QueuedAnswer }[] = [];
  const waiters = new Set<() => void>();
  const templates = new Map<string, FakeTemplate[]>(Object.entries(options.templates ?? {}));
  const media = new Map<string, StoredMedia>();
  const timers = new Set<NodeJS.Timeout>();
  const log = options.log ?? ((): void => undefined);
  let baseUrl = '';

  const later = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  // ---- webhooks back to Parley (demo) --------------------------------------------------

  const postWebhook = (channel: FakeChannel, body: unknown): void => {
    const target = options.webhooks;
    if (target === undefined) return;
    const raw = JSON.stringify(body);
    const signature = `sha256=${createHmac('sha256', target.appSecret).update(raw).digest('hex')}`;
    fetch(new URL(WEBHOOK_PATHS[channel], target.parleyUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body: raw,
    }).then(
      (response) => {
        if (!response.ok) log(`webhook to ${channel} answered ${response.status}`);
        void response.body?.cancel();
      },
      (error: unknown) =>
        log(`webhook to ${channel} failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };

  const whatsappStatuses = (phoneNumberId: string, wamid: string, recipient: string): void => {
    if (options.webhooks === undefined) return;
    const step = options.webhooks.delayMs ?? 800;
    const statuses: ['sent' | 'delivered' | 'read', number][] = [
      ['sent', step],
      ['delivered', step * 2],
      ['read', step * 5],
    ];
    for (const [status, delay] of statuses) {
      later(delay, () =>
        postWebhook('whatsapp', {
          object: 'whatsapp_business_account',
          entry: [
            {
              id: 'WABA_FAKE',
              changes: [
                {
                  field: 'messages',
                  value: {
                    messaging_product: 'whatsapp',
                    metadata: { display_phone_number: '15550100001', phone_number_id: phoneNumberId },
                    statuses: [
                      {
                        id: wamid,
                        status,
                        timestamp: String(Math.floor(Date.now() / 1000)),
                        recipient_id: recipient,
                      },
                    ],
                  },
                },
              ],
            },
          ],
        }),
      );
    }
  };

  const messagingReceipts = (
    channel: 'messenger' | 'instagram',
    accountId: string,
    mid: string,
    recipient: string,
  ): void => {
    if (options.webhooks === undefined) return;
    const step = options.webhooks.delayMs ?? 800;
    const envelope = (event: Record<string, unknown>): unknown => ({
      object: channel === 'messenger' ? 'page' : 'instagram',
      entry: [
        {
          id: accountId,
          time: Date.now(),
          messaging: [{ sender: { id: recipient }, recipient: { id: accountId }, timestamp: Date.now(), ...event }],
        },
      ],
    });
    if (channel === 'messenger') {
      later(step, () => postWebhook(channel, envelope({ delivery: { mids: [mid], watermark: Date.now() } })));
      later(step * 4, () => postWebhook(channel, envelope({ read: { watermark: Date.now() } })));
    } else {
      later(step * 3, () => postWebhook(channel, envelope({ read: { mid } })));
    }
  };

  // ---- routes --------------------------------------------------------------------------

  const channelOf = (id: string, body: unknown): FakeChannel => {
    if (isRecord(body) && body.messaging_product === 'whatsapp') return 'whatsapp';
    return options.accounts?.[id] ?? 'messenger';
  };

  const whatsappMessages = (phoneNumberId: string, body: unknown): HttpAnswer => {
    if (!isRecord(body)) return invalidParameter('The request body must be JSON.');
    if (body.status === 'read') {
      if (typeof body.message_id !== 'string') return invalidParameter('The parameter message_id is required.');
      if (body.typing_indicator !== undefined) {
        if (!isRecord(body.typing_indicator) || body.typing_indicator.type !== 'text') {
          return invalidParameter('typing_indicator.type must be "text".');
        }
      }
      return new HttpAnswer(200, { success: true });
    }
    if (typeof body.to !== 'string' || body.to === '') return invalidParameter('The parameter to is required.');
    const type = body.type;
    if (typeof type !== 'string' || !isRecord(body[type])) {
      return invalidParameter('The parameter type and its object are required.');
    }
    const content = body[type];
    switch (type) {
      case 'text':
        if (typeof content.body !== 'string' || content.body === '') return invalidParameter('text.body is required.');
        if ([...content.body].length > 4096) return invalidParameter('text.body is longer than 4096 characters.');
        break;
      case 'image':
      case 'video':
      case 'audio':
      case 'document':
      case 'sticker':
        if (typeof content.id !== 'string' && typeof content.link !== 'string') {
          return invalidParameter(`${type}.id or ${type}.link is required.`);
        }
        if (typeof content.id === 'string' && !media.has(content.id)) {
          return invalidParameter(`The media id ${content.id} is not valid.`);
        }
        break;
      case 'reaction':
        if (typeof content.message_id !== 'string') return invalidParameter('reaction.message_id is required.');
        if (typeof content.emoji !== 'string') return invalidParameter('reaction.emoji is required.');
        break;
      case 'template':
        if (
          typeof content.name !== 'string' ||
          !isRecord(content.language) ||
          typeof content.language.code !== 'string'
        ) {
          return invalidParameter('template.name and template.language.code are required.');
        }
        break;
      default:
        return invalidParameter(`The message type ${type} is not supported here.`);
    }
    const wamid = `wamid.HBgL${randomBytes(24).toString('base64url')}`;
    if (type !== 'reaction') whatsappStatuses(phoneNumberId, wamid, body.to);
    return new HttpAnswer(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: body.to.replace(/^\+/, '') }],
      messages: [{ id: wamid, message_status: 'accepted' }],
    });
  };

  const messagingMessages = (channel: 'messenger' | 'instagram', accountId: string, body: unknown): HttpAnswer => {
    if (!isRecord(body)) return invalidParameter('The request body must be JSON.');
    if (!isRecord(body.recipient) || typeof body.recipient.id !== 'string') {
      return invalidParameter('The parameter recipient is required.');
    }
    const recipient = body.recipient.id;
    if (body.sender_action !== undefined) {
      const action = body.sender_action;
      if (
        typeof action !== 'string' ||
        !['typing_on', 'typing_off', 'mark_seen', 'react', 'unreact'].includes(action)
      ) {
        return invalidParameter('sender_action is not valid.');
      }
      if (body.message !== undefined) return invalidParameter('sender_action cannot be sent with a message.');
      if (
        (action === 'react' || action === 'unreact') &&
        (!isRecord(body.payload) || typeof body.payload.message_id !== 'string')
      ) {
        return invalidParameter('payload.message_id is required for reactions.');
      }
      return new HttpAnswer(200, { recipient_id: recipient });
    }
    if (!isRecord(body.message)) return invalidParameter('The parameter message is required.');
    if (body.messaging_type === 'MESSAGE_TAG') {
      if (body.tag !== 'HUMAN_AGENT') return invalidParameter('A MESSAGE_TAG message needs a tag.');
    } else if (body.messaging_type !== 'RESPONSE' && body.messaging_type !== 'UPDATE') {
      return invalidParameter('messaging_type is required.');
    }
    const message = body.message;
    if (typeof message.text === 'string') {
      if (channel === 'instagram' && Buffer.byteLength(message.text, 'utf8') > 1000) {
        return invalidParameter('The message text is longer than 1000 bytes.');
      }
    } else if (isRecord(message.attachment)) {
      const payload = message.attachment.payload;
      if (!isRecord(payload) || (typeof payload.attachment_id !== 'string' && typeof payload.url !== 'string')) {
        return invalidParameter('attachment.payload.attachment_id or url is required.');
      }
      if (typeof payload.attachment_id === 'string' && !media.has(payload.attachment_id)) {
        return invalidParameter(`The attachment id ${payload.attachment_id} is not valid.`);
      }
    } else {
      return invalidParameter('message.text or message.attachment is required.');
    }
    const mid =
      channel === 'instagram'
        ? `aWdf${randomBytes(24).toString('base64url')}`
        : `m_${randomBytes(24).toString('base64url')}`;
    messagingReceipts(channel, accountId, mid, recipient);
    return new HttpAnswer(200, { recipient_id: recipient, message_id: mid });
  };

  const storeUpload = (file: { bytes: Buffer; type: string; fileName: string | null }): string => {
    const id = randomDigits(16);
    media.set(id, { bytes: file.bytes, mimeType: file.type, fileName: file.fileName, sha256: sha256(file.bytes) });
    return id;
  };

  const mediaUpload = (form: ParsedForm | null): HttpAnswer => {
    if (form === null) return invalidParameter('The upload must be multipart/form-data.');
    if (form.fields.messaging_product !== 'whatsapp') return invalidParameter('messaging_product must be whatsapp.');
    const file = form.files.file;
    if (file === undefined) return invalidParameter('The parameter file is required.');
    if (form.fields.type === undefined || form.fields.type === '')
      return invalidParameter('The parameter type is required.');
    return new HttpAnswer(200, { id: storeUpload({ ...file, type: form.fields.type }) });
  };

  const attachmentUpload = (form: ParsedForm | null): HttpAnswer => {
    if (form === null) return invalidParameter('The upload must be multipart/form-data.');
    let message: unknown;
    try {
      message = JSON.parse(form.fields.message ?? '');
    } catch {
      return invalidParameter('The parameter message must be JSON.');
    }
    if (!isRecord(message) || !isRecord(message.attachment) || typeof message.attachment.type !== 'string') {
      return invalidParameter('message.attachment.type is required.');
    }
    const file = form.files.filedata;
    if (file === undefined) return invalidParameter('The parameter filedata is required.');
    return new HttpAnswer(200, { attachment_id: storeUpload(file) });
  };

  const templatesPage = (wabaId: string, query: Record<string, string>): HttpAnswer => {
    const list = templates.get(wabaId);
    if (list === undefined) {
      const error = graphError({
        code: 100,
        message: `Unsupported get request. Object with ID '${wabaId}' does not exist.`,
        type: 'GraphMethodException',
      });
      return new HttpAnswer(error.status, error.body);
    }
    const size = options.templatePageSize ?? 25;
    const start = query.after === undefined ? 0 : Number(Buffer.from(query.after, 'base64url').toString('utf8'));
    const page = list.slice(start, start + size).map((template, index) => ({
      id: template.id ?? String(900000000000000 + start + index),
      ...template,
    }));
    const end = start + page.length;
    const cursors = {
      before: Buffer.from(String(start)).toString('base64url'),
      after: Buffer.from(String(end)).toString('base64url'),
    };
    const next = new URL(`${baseUrl}/v21.0/${wabaId}/message_templates`);
    next.searchParams.set('after', cursors.after);
    return new HttpAnswer(200, {
      data: page,
      paging: { cursors, ...(end < list.length ? { next: next.toString() } : {}) },
    });
  };

  const mediaOrProfile = (id: string, query: Record<string, string>): HttpAnswer => {
    let stored = media.get(id);
    if (stored === undefined && options.placeholderMedia === true && /^\d+$/.test(id) && query.fields === undefined) {
      stored = { bytes: TINY_PNG, mimeType: 'image/png', fileName: null, sha256: sha256(TINY_PNG) };
      media.set(id, stored);
    }
    if (stored !== undefined) {
      return new HttpAnswer(200, {
        messaging_product: 'whatsapp',
        url: `${baseUrl}/whatsapp_business/attachments/?mid=${encodeURIComponent(id)}`,
        mime_type: stored.mimeType,
        sha256: stored.sha256,
        file_size: stored.bytes.length,
        id,
      });
    }
    if (query.fields !== undefined) {
      // Messenger asks first_name,last_name,profile_pic; Instagram name,username,profile_pic.
      const fields = query.fields.split(',');
      const suffix = id.slice(-4);
      const profile: Record<string, string> = { id };
      if (fields.includes('first_name')) profile.first_name = 'Customer';
      if (fields.includes('last_name')) profile.last_name = suffix;
      if (fields.includes('name')) profile.name = `Customer ${suffix}`;
      if (fields.includes('username')) profile.username = `customer_${suffix}`;
      if (fields.includes('profile_pic')) profile.profile_pic = `${baseUrl}/profile-pic/${encodeURIComponent(id)}.png`;
      return new HttpAnswer(200, profile);
    }
    const error = graphError({
      code: 100,
      message: `Unsupported get request. Object with ID '${id}' does not exist.`,
      type: 'GraphMethodException',
    });
    return new HttpAnswer(error.status, error.body);
  };

  const route = (
    method: string,
    segments: string[],
    query: Record<string, string>,
    body: unknown,
    form: ParsedForm | null,
  ): HttpAnswer => {
    const [id, edge, extra] = segments;
    if (id === undefined || extra !== undefined) return invalidParameter('Unknown path.');
    if (method === 'POST' && edge === 'messages') {
      const channel = channelOf(id, body);
      return channel === 'whatsapp' ? whatsappMessages(id, body) : messagingMessages(channel, id, body);
    }
    if (method === 'POST' && edge === 'media') return mediaUpload(form);
    if (method === 'POST' && edge === 'message_attachments') return attachmentUpload(form);
    if (method === 'GET' && edge === 'message_templates') return templatesPage(id, query);
    if (method === 'GET' && edge === undefined) return mediaOrProfile(id, query);
    const error = graphError({
      code: 100,
      message: `Unsupported ${method.toLowerCase()} request.`,
      type: 'GraphMethodException',
    });
    return new HttpAnswer(error.status, error.body);
  };

  // ---- the HTTP server -------------------------------------------------------------------

  const send = (response: http.ServerResponse, answer: HttpAnswer): void => {
    const payload = Buffer.isBuffer(answer.body) ? answer.body : Buffer.from(JSON.stringify(answer.body));
    response.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': payload.length });
    response.end(payload);
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const receivedAt = Date.now();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(request);
    const method = (request.method ?? 'GET').toUpperCase();
    const parts = url.pathname
      .split('/')
      .filter((part) => part !== '')
      .map((part) => decodeURIComponent(part));
    const version = parts[0] !== undefined && VERSION.test(parts[0]) ? parts[0] : null;
    const segments = version === null ? parts : parts.slice(1);
    const path = `/${segments.join('/')}`;
    const query = Object.fromEntries(url.searchParams.entries());

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined) continue;
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const authorization = headers.authorization;
    const bearer = authorization?.startsWith('Bearer ') === true ? authorization.slice('Bearer '.length) : null;
    if (authorization !== undefined) headers.authorization = bearer === null ? '<other>' : 'Bearer <token>';
    const expected = segments[0] === undefined ? undefined : options.tokens?.[segments[0]];
    const auth: RecordedCall['auth'] = {
      scheme: bearer !== null ? 'bearer' : authorization === undefined ? 'none' : 'other',
      tokenOk: expected === undefined ? null : bearer === expected,
      tokenInQuery: url.searchParams.has('access_token'),
    };

    const contentType = headers['content-type'] ?? '';
    let body: unknown = null;
    let form: ParsedForm | null = null;
    if (raw.length > 0) {
      if (contentType.startsWith('multipart/form-data')) {
        try {
          form = await parseMultipart(raw, contentType);
          const files = Object.fromEntries(
            Object.entries(form.files).map(([name, file]): [string, RecordedFile] => [
              name,
              { fileName: file.fileName, type: file.type, size: file.bytes.length, sha256: sha256(file.bytes) },
            ]),
          );
          body = { ...form.fields, ...files };
        } catch {
          body = '<malformed multipart>';
        }
      } else {
        const text = raw.toString('utf8');
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          body = text;
        }
      }
    }
    const call: RecordedCall = {
      n: calls.length + 1,
      method,
      path,
      version,
      query,
      headers,
      auth,
      body,
      receivedAt,
      answeredAt: null,
      status: null,
    };
    calls.push(call);
    for (const waiter of [...waiters]) waiter();
    log(`${method} ${url.pathname}`);

    const finish = (answer: HttpAnswer): void => {
      call.answeredAt = Date.now();
      call.status = answer.status;
      send(response, answer);
    };

    const queuedIndex = queued.findIndex((entry) => matches(call, entry.match));
    const entry = queuedIndex >= 0 ? queued.splice(queuedIndex, 1)[0] : undefined;
    if (entry !== undefined) {
      const { answer } = entry;
      const act = (): void => {
        if (answer.drop === true) {
          call.answeredAt = Date.now();
          request.socket.destroy();
          return;
        }
        finish(new HttpAnswer(answer.status, answer.body ?? {}));
      };
      if (answer.delayMs !== undefined && answer.delayMs > 0) later(answer.delayMs, act);
      else act();
      return;
    }

    // Files and pictures live outside the versioned API, as Meta's CDN does.
    if (version === null) {
      if (method === 'GET' && path === '/whatsapp_business/attachments') {
        const stored = media.get(query.mid ?? '');
        if (bearer === null) return finish(new HttpAnswer(401, { error: 'missing bearer token' }));
        if ((headers['user-agent'] ?? '') === '') return finish(new HttpAnswer(400, { error: 'missing user agent' }));
        if (stored === undefined) return finish(new HttpAnswer(404, { error: 'not found' }));
        return finish(new HttpAnswer(200, stored.bytes, stored.mimeType));
      }
      if (method === 'GET' && path.startsWith('/profile-pic/'))
        return finish(new HttpAnswer(200, TINY_PNG, 'image/png'));
      return finish(new HttpAnswer(404, { error: 'not found' }));
    }

    if (bearer === null || bearer === '') {
      const error = graphError({
        status: 400,
        code: 104,
        message: 'An access token is required to request this resource.',
      });
      return finish(new HttpAnswer(error.status, error.body));
    }
    if (auth.tokenOk === false) {
      const error = graphError({
        status: 401,
        code: 190,
        message: 'Invalid OAuth access token - Cannot parse access token',
      });
      return finish(new HttpAnswer(error.status, error.body));
    }
    finish(route(method, segments, query, body, form));
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`fake graph failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent)
        send(response, new HttpAnswer(500, { error: { message: 'fake graph failed', code: 1 } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  const callsTo = (match: CallMatch): RecordedCall[] => calls.filter((call) => matches(call, match));

  return {
    url: baseUrl,
    port,
    calls,
    callsTo,
    waitForCalls(match, count, timeoutMs = 5_000) {
      const now = callsTo(match);
      if (now.length >= count) return Promise.resolve(now);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `fake graph: ${callsTo(match).length} of ${count} calls to ${match.method ?? 'any'} ${String(match.path ?? 'any path')} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        const check = (): void => {
          const found = callsTo(match);
          if (found.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
      });
    },
    queue(match, ...answers) {
      for (const answer of answers) queued.push({ match, answer });
    },
    setTemplates(wabaId, list) {
      templates.set(wabaId, list);
    },
    addMedia(bytes, mimeType, fileName) {
      return storeUpload({ bytes, type: mimeType, fileName: fileName ?? null });
    },
    uploaded(id) {
      const stored = media.get(id);
      return stored === undefined
        ? undefined
        : { bytes: stored.bytes, mimeType: stored.mimeType, fileName: stored.fileName };
    },
    reset() {
      calls.length = 0;
      queued.length = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
