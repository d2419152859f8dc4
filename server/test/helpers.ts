import { upsertChannelAccount } from '../src/modules/channelAccounts/records.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  HelloReplySchema,
  PROTOCOL_VERSION,
  PullReplySchema,
  type Agent,
  type ClientToServerEvents,
  type Hello,
  type HelloReply,
  type LiveBatch,
  type PullReply,
  type PullRequest,
  type ServerToClientEvents,
} from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';
import { signPayload } from '../src/modules/channels/signature.js';
import { loadConfig, type ServerConfig } from '../src/config.js';
import { WEBHOOK_PATHS } from '../src/transport/http/webhooks.js';
import { startServer, type RunningServer, type StartOptions } from '../src/server.js';
import { testDatabaseUrl } from './support/database.js';

/**
 * Drives a real Parley server for the integration tests: its own database (a SQLite file in
 * a temp folder, or a PostgreSQL database: support/database.ts), 127.0.0.1 on a free port, real HTTP and real socket.io. Nothing here fakes the
 * server; the helpers only build Meta-shaped payloads and sign them as Meta does.
 */

export const APP_SECRET = 'server-test-app-secret';
export const VERIFY_TOKEN = 'server-test-verify-token';
export const AGENT = { email: 'agent@example.com', name: 'Alex Agent', password: 'correct horse battery' } as const;

/** How long any awaited event may take before the test fails instead of hanging. */
export const EVENT_TIMEOUT_MS = 5_000;

export type ChannelName = keyof typeof WEBHOOK_PATHS;
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type TestServer = RunningServer & {
  dataDir: string;
  /** Sockets opened by `openSocket` and the helpers built on it; closed by `close` and `cleanup`. */
  sockets: Set<ClientSocket>;
  /** Closes the sockets and the server (once) and removes the data folder. */
  cleanup(): Promise<void>;
  /** Stops the server as SIGTERM does, leaving the test's sockets to hear it. */
  shutdown(): Promise<void>;
};

export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  startOptions: StartOptions = {},
): Promise<TestServer> {
  // A restart test passes the folder of a server it closed; otherwise each server has its own.
  const dataDir = overrides.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-server-test-'));
  const config: ServerConfig = {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    dataDir,
    // SQLite in the folder, or this folder's own PostgreSQL database (PARLEY_TEST_DATABASE).
    // A test may name another (a cluster of its own).
    databaseUrl: 'databaseUrl' in overrides ? overrides.databaseUrl : await testDatabaseUrl(dataDir),
    // No web build: these tests are about the API, the webhooks and the socket.
    webDir: path.join(dataDir, 'no-web-build'),
    meta: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN },
    // A closed local port: no test reaches Meta (vitest's setup also refuses any other host).
    graph: { baseUrl: 'http://127.0.0.1:9', version: 'v21.0' },
    media: { dir: path.join(dataDir, 'media'), s3: null },
    demo: false,
    logLevel: process.env.PARLEY_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent',
    logFormat: 'json',
    ...overrides,
  };
  let server: RunningServer;
  try {
    server = await startServer(config, startOptions);
    for (const [channel, externalId] of [
      ['whatsapp', WA_PHONE_NUMBER_ID],
      ['messenger', PAGE_ID],
      ['instagram', IG_ACCOUNT_ID],
    ] as const) {
      await upsertChannelAccount(server.store, {
        channel,
        externalId,
        name: `Test ${channel}`,
        accessToken: `test-token-${channel}`,
        appSecret: APP_SECRET,
        verifyToken: VERIFY_TOKEN,
      });
    }
  } catch (error) {
    if (overrides.dataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const sockets = new Set<ClientSocket>();
  let closed = false;
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.disconnect();
    sockets.clear();
    if (closed) return;
    closed = true;
    await server.close();
  };
  return {
    ...server,
    dataDir,
    sockets,
    close,
    shutdown: () => server.close(),
    cleanup: async () => {
      await close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------
// HTTP

export type PostOptions = {
  /** Overrides the header value; null sends no signature header at all. */
  signature?: string | null;
  secret?: string;
  /** Signs these bytes instead of the ones sent (to model a body altered in transit). */
  signedBody?: string;
  headers?: Record<string, string>;
};

/** Posts a webhook exactly as Meta does: JSON bytes, `X-Hub-Signature-256` over those bytes. */
export async function postWebhook(
  server: Pick<TestServer, 'url'>,
  channel: ChannelName,
  body: object | string,
  options: PostOptions = {},
): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  const signature =
    options.signature === undefined
      ? signPayload(options.signedBody ?? raw, options.secret ?? APP_SECRET)
      : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return fetch(new URL(WEBHOOK_PATHS[channel], server.url), { method: 'POST', headers, body: raw });
}

/** Posts and insists on Meta's success answer, so a later assertion never reads a half-done state. */
export async function deliver(server: Pick<TestServer, 'url'>, channel: ChannelName, body: object): Promise<void> {
  const response = await postWebhook(server, channel, body);
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`Webhook to ${channel} answered ${response.status}: ${text}`);
  }
}

export function sha1Signature(raw: string, secret: string = APP_SECRET): string {
  return `sha1=${createHmac('sha1', secret).update(raw).digest('hex')}`;
}

export async function verifyWebhook(
  server: Pick<TestServer, 'url'>,
  channel: ChannelName,
  query: Record<string, string>,
): Promise<Response> {
  const url = new URL(WEBHOOK_PATHS[channel], server.url);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return fetch(url);
}

export async function login(
  server: Pick<TestServer, 'url'>,
  body: unknown,
  init: { raw?: string; contentType?: string } = {},
): Promise<Response> {
  return fetch(new URL('/api/auth/login', server.url), {
    method: 'POST',
    headers: { 'content-type': init.contentType ?? 'application/json' },
    body: init.raw ?? JSON.stringify(body),
  });
}

/** Creates the test agent and signs in over HTTP, as the apps do. */
export async function signIn(server: TestServer): Promise<{ token: string; agent: Agent }> {
  await server.agents.createAgent({ email: AGENT.email, name: AGENT.name, role: 'agent', password: AGENT.password });
  const response = await login(server, { email: AGENT.email, password: AGENT.password });
  if (response.status !== 200) throw new Error(`Login answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { token: string; agent: Agent };
}

// ---------------------------------------------------------------------------------------
// Database

export async function messageCount(server: TestServer): Promise<number> {
  const row = await server.store.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function messagesByExternalId(server: TestServer, externalId: string): Promise<number> {
  const rows = await server.store.db
    .selectFrom('messages')
    .select('id')
    .where('external_id', '=', externalId)
    .execute();
  return rows.length;
}

/** Everything a refused or ignored webhook must leave alone. */
export async function snapshot(server: TestServer): Promise<{
  head: number;
  messages: number;
  contacts: number;
  conversations: number;
}> {
  const count = async (table: 'messages' | 'contacts' | 'conversations'): Promise<number> => {
    const row = await server.store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    head: await server.store.head(),
    messages: await count('messages'),
    contacts: await count('contacts'),
    conversations: await count('conversations'),
  };
}

// ---------------------------------------------------------------------------------------
// Meta payloads, written from the shapes in CHANNELS.md §2

export const WA_PHONE_NUMBER_ID = '106540352242922';
export const WA_BUSINESS_ACCOUNT_ID = '102290129340398';
export const PAGE_ID = '682498302938465';
export const IG_ACCOUNT_ID = '17841400000000000';

export type WhatsAppMessageInput = {
  from: string;
  id: string;
  timestampSeconds: number;
  text?: string;
  /** The whole per-type part when not a text, e.g. `{ type: 'image', image: {...} }`. */
  body?: Record<string, unknown>;
};

export function whatsappMessage(input: WhatsAppMessageInput): Record<string, unknown> {
  return {
    from: input.from,
    id: input.id,
    timestamp: String(input.timestampSeconds),
    ...(input.body ?? { type: 'text', text: { body: input.text ?? '' } }),
  };
}

export function whatsappValue(input: {
  phoneNumberId?: string;
  contacts?: { waId: string; name: string }[];
  messages?: Record<string, unknown>[];
  statuses?: Record<string, unknown>[];
}): Record<string, unknown> {
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550783881', phone_number_id: input.phoneNumberId ?? WA_PHONE_NUMBER_ID },
  };
  if (input.contacts !== undefined) {
    value.contacts = input.contacts.map((contact) => ({ profile: { name: contact.name }, wa_id: contact.waId }));
  }
  if (input.messages !== undefined) value.messages = input.messages;
  if (input.statuses !== undefined) value.statuses = input.statuses;
  return value;
}

/** `entries` is a list of entries, each a list of `changes[].value` (field `messages` unless given). */
export function whatsappWebhook(
  entries: { field?: string; value: Record<string, unknown> }[][],
): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: entries.map((changes) => ({
      id: WA_BUSINESS_ACCOUNT_ID,
      changes: changes.map((change) => ({ field: change.field ?? 'messages', value: change.value })),
    })),
  };
}

/** The common case: one customer, one text message. */
export function whatsappText(input: {
  from: string;
  name: string;
  id: string;
  text: string;
  timestampSeconds: number;
  phoneNumberId?: string;
}): Record<string, unknown> {
  return whatsappWebhook([
    [
      {
        value: whatsappValue({
          phoneNumberId: input.phoneNumberId,
          contacts: [{ waId: input.from, name: input.name }],
          messages: [whatsappMessage(input)],
        }),
      },
    ],
  ]);
}

export type MessagingObject = 'page' | 'instagram';

/** `{ sender, recipient, timestamp, <event> }` as Messenger and Instagram send it. */
export function messagingEvent(input: {
  sender: string;
  recipient: string;
  timestampMs: number;
  event: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    sender: { id: input.sender },
    recipient: { id: input.recipient },
    timestamp: input.timestampMs,
    ...input.event,
  };
}

export function messagingWebhook(
  object: MessagingObject,
  entries: { id: string; time?: number; messaging: Record<string, unknown>[] }[],
): Record<string, unknown> {
  return {
    object,
    entry: entries.map((entry) => ({
      id: entry.id,
      time: entry.time ?? 1_518_479_195_594,
      messaging: entry.messaging,
    })),
  };
}

export function messagingText(input: {
  object: MessagingObject;
  accountId: string;
  senderId: string;
  mid: string;
  text: string;
  timestampMs: number;
}): Record<string, unknown> {
  return messagingWebhook(input.object, [
    {
      id: input.accountId,
      time: input.timestampMs,
      messaging: [
        messagingEvent({
          sender: input.senderId,
          recipient: input.accountId,
          timestampMs: input.timestampMs,
          event: { message: { mid: input.mid, text: input.text } },
        }),
      ],
    },
  ]);
}

// ---------------------------------------------------------------------------------------
// Sockets

export function openSocket(server: TestServer, options: { token?: string; cookie?: string } = {}): ClientSocket {
  const socket: ClientSocket = io(server.url, {
    auth: options.token === undefined ? {} : { token: options.token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(options.cookie === undefined ? {} : { extraHeaders: { cookie: options.cookie } }),
  });
  server.sockets.add(socket);
  return socket;
}

/** Resolves once connected; rejects with the server's connect_error. */
export async function connectSocket(
  server: TestServer,
  options: { token?: string; cookie?: string } = {},
): Promise<ClientSocket> {
  const socket = openSocket(server, options);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket did not connect in time')), EVENT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return socket;
}

/** The connect_error a refused socket gets (fails the test if it connects instead). */
export async function connectError(
  server: TestServer,
  options: { token?: string; cookie?: string } = {},
): Promise<Error & { data?: unknown }> {
  const socket = openSocket(server, options);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('socket was neither accepted nor refused in time')),
      EVENT_TIMEOUT_MS,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      reject(new Error('socket connected but should have been refused'));
    });
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      clearTimeout(timer);
      resolve(error);
    });
  });
}

export const HELLO: Hello = { protocolVersion: PROTOCOL_VERSION, client: 'parley-server-tests' };

/** Says hello and parses the acknowledgement with the protocol's own schema. */
export async function sayHello(socket: ClientSocket, hello: Hello = HELLO): Promise<HelloReply> {
  const reply: unknown = await socket.timeout(EVENT_TIMEOUT_MS).emitWithAck('hello', hello);
  return HelloReplySchema.parse(reply);
}

/** Sends `sync:pull` and parses the acknowledgement with the protocol's own schema. */
export async function pullChanges(socket: ClientSocket, request: PullRequest): Promise<PullReply> {
  const reply: unknown = await socket.timeout(EVENT_TIMEOUT_MS).emitWithAck('sync:pull', request);
  return PullReplySchema.parse(reply);
}

/** Connects, says hello and starts recording live batches before any can arrive. */
export async function connectReady(
  server: TestServer,
  token: string,
): Promise<{
  socket: ClientSocket;
  head: number;
  batches: BatchRecorder;
}> {
  const socket = await connectSocket(server, { token });
  const batches = recordBatches(socket);
  const welcome = await sayHello(socket);
  if (!welcome.ok) throw new Error(`hello refused: ${welcome.code} ${welcome.reason ?? ''}`);
  return { socket, head: welcome.head, batches };
}

export type BatchRecorder = {
  readonly all: LiveBatch[];
  /** Resolves with the first batch (already received or still to come) that matches. */
  waitFor(predicate: (batch: LiveBatch) => boolean, what: string): Promise<LiveBatch>;
};

export function recordBatches(socket: ClientSocket): BatchRecorder {
  const all: LiveBatch[] = [];
  const waiters = new Set<(batch: LiveBatch) => void>();
  socket.on('sync:changes', (batch) => {
    all.push(batch);
    for (const waiter of [...waiters]) waiter(batch);
  });
  return {
    all,
    waitFor(predicate, what) {
      const seen = all.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no live batch with ${what} within ${EVENT_TIMEOUT_MS} ms (got ${all.length})`));
        }, EVENT_TIMEOUT_MS);
        const waiter = (batch: LiveBatch): void => {
          if (!predicate(batch)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(batch);
        };
        waiters.add(waiter);
      });
    },
  };
}

export function batchHasMessage(externalId: string): (batch: LiveBatch) => boolean {
  return (batch) =>
    batch.changes.some((change) => change.entity === 'message' && change.data.externalId === externalId);
}

/** Resolves when the server drops the socket. */
export function disconnected(socket: ClientSocket): Promise<string> {
  if (socket.disconnected) return Promise.resolve('already disconnected');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket was not disconnected in time')), EVENT_TIMEOUT_MS);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** A server started as a process of its own (`server/src/main.ts`, JSON logs). */
export type ServerProcess = {
  child: ChildProcess;
  /** The address it logs once it listens; rejected with its output if it exits first. */
  url: Promise<string>;
  /** All it has written so far, standard output and error together. */
  output: () => string;
};

/**
 * Starts the server as a process of its own, as it runs in production: on 127.0.0.1 and any
 * port, with JSON logs, its data in `dataDir` and one WhatsApp number (signed with
 * APP_SECRET). `env` adds to or overrides the settings. Collects what it writes, and tells
 * the address it listens on.
 */
export function startServerProcess(input: {
  /** Names the process in the error when it exits before it listens. */
  name: string;
  dataDir: string;
  whatsapp: { name: string; accessToken: string; verifyToken: string };
  env: Record<string, string>;
}): ServerProcess {
  const channelsFile = path.join(input.dataDir, 'channels.json');
  fs.writeFileSync(
    channelsFile,
    JSON.stringify({
      channels: [{ channel: 'whatsapp', externalId: WA_PHONE_NUMBER_ID, appSecret: APP_SECRET, ...input.whatsapp }],
    }),
  );
  const root = path.resolve(import.meta.dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/src/main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      PARLEY_DATA_DIR: input.dataDir,
      PARLEY_CHANNELS_FILE: channelsFile,
      PARLEY_LOG_FORMAT: 'json',
      PARLEY_LOG_LEVEL: 'info',
      ...input.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (match?.[1] !== undefined) {
        clearInterval(timer);
        resolve(match[1]);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`${input.name} exited: ${output}`));
      }
    }, 50);
  });
  return { child, url, output: () => output };
}
