import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  FailureSchema,
  MutationSuccessSchema,
  type Channel,
  type Mutation,
  type MutationResult,
} from '@parley/protocol';
import { z } from 'zod';
import { findChannelAccount } from '../src/modules/channelAccounts/records.js';
import { newId } from '../src/platform/ids.js';
import { MESSAGE_COLUMNS, messageFromRow } from '../src/platform/rows.js';
import type { Message } from '@parley/protocol';
import {
  AGENT,
  EVENT_TIMEOUT_MS,
  IG_ACCOUNT_ID,
  PAGE_ID,
  WA_BUSINESS_ACCOUNT_ID,
  WA_PHONE_NUMBER_ID,
  connectReady,
  login,
  signIn,
  startTestServer,
  type BatchRecorder,
  type ClientSocket,
  type TestServer,
} from './helpers.js';

/**
 * What the outbound tests share: a real Parley server pointed at the fake Graph API
 * (test/fake-graph), a signed-in socket, threads seeded in the store with the windows a
 * test needs, and `mutate` over the real socket.
 */

// The fake lives in test/fake-graph (the demo runs it too). server/test's TypeScript project
// may not include files outside server/, so it is loaded at run time and its API is
// restated here; a drift fails every test that uses it, loudly.

export type RecordedCall = {
  n: number;
  method: string;
  path: string;
  version: string | null;
  query: Record<string, string>;
  headers: Record<string, string>;
  auth: { scheme: 'bearer' | 'none' | 'other'; tokenOk: boolean | null; tokenInQuery: boolean };
  body: unknown;
  receivedAt: number;
  answeredAt: number | null;
  status: number | null;
};
export type CallMatch = { method?: string; path?: string | RegExp };
export type QueuedAnswer = { status: number; body?: unknown; delayMs?: number; drop?: boolean };
export type FakeTemplate = {
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: Record<string, unknown>[];
};
export type FakeGraphOptions = {
  port?: number;
  accounts?: Record<string, Channel>;
  tokens?: Record<string, string>;
  templates?: Record<string, FakeTemplate[]>;
  templatePageSize?: number;
};
export type FakeGraph = {
  url: string;
  port: number;
  readonly calls: readonly RecordedCall[];
  callsTo(match: CallMatch): RecordedCall[];
  waitForCalls(match: CallMatch, count: number, timeoutMs?: number): Promise<RecordedCall[]>;
  queue(match: CallMatch, ...answers: QueuedAnswer[]): void;
  setTemplates(wabaId: string, templates: FakeTemplate[]): void;
  uploaded(id: string): { bytes: Buffer; mimeType: string; fileName: string | null } | undefined;
  reset(): void;
  close(): Promise<void>;
};
type FakeGraphModule = {
  startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph>;
  graphError(input: {
    status?: number;
    code: number;
    subcode?: number;
    message?: string;
    details?: string;
    delayMs?: number;
  }): QueuedAnswer;
};

const FAKE_GRAPH_MODULE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fake-graph/server.ts');
let fakeModule: Promise<FakeGraphModule> | null = null;

async function loadFake(): Promise<FakeGraphModule> {
  fakeModule ??= (async () => {
    const loaded: unknown = await import(pathToFileURL(FAKE_GRAPH_MODULE).href);
    const module = loaded as Partial<FakeGraphModule>;
    if (typeof module.startFakeGraph !== 'function' || typeof module.graphError !== 'function') {
      throw new Error(`${FAKE_GRAPH_MODULE} does not export startFakeGraph and graphError`);
    }
    return module as FakeGraphModule;
  })();
  return fakeModule;
}

/** The tokens the test server gives its accounts (helpers.ts), expected by the fake. */
export const TOKENS = {
  whatsapp: 'test-token-whatsapp',
  messenger: 'test-token-messenger',
  instagram: 'test-token-instagram',
} as const;

export const ACCOUNT_IDS: Record<Channel, string> = {
  whatsapp: WA_PHONE_NUMBER_ID,
  messenger: PAGE_ID,
  instagram: IG_ACCOUNT_ID,
};

export const MESSAGES_PATH: Record<Channel, string> = {
  whatsapp: `/${WA_PHONE_NUMBER_ID}/messages`,
  messenger: `/${PAGE_ID}/messages`,
  instagram: `/${IG_ACCOUNT_ID}/messages`,
};

export async function startFakeGraph(options: FakeGraphOptions = {}): Promise<FakeGraph> {
  const module = await loadFake();
  return module.startFakeGraph({
    accounts: { [WA_PHONE_NUMBER_ID]: 'whatsapp', [PAGE_ID]: 'messenger', [IG_ACCOUNT_ID]: 'instagram' },
    tokens: {
      [WA_PHONE_NUMBER_ID]: TOKENS.whatsapp,
      [WA_BUSINESS_ACCOUNT_ID]: TOKENS.whatsapp,
      [PAGE_ID]: TOKENS.messenger,
      [IG_ACCOUNT_ID]: TOKENS.instagram,
    },
    ...options,
  });
}

export async function graphError(input: Parameters<FakeGraphModule['graphError']>[0]): Promise<QueuedAnswer> {
  return (await loadFake()).graphError(input);
}

export type Harness = {
  server: TestServer;
  fake: FakeGraph;
  token: string;
  agentId: string;
  socket: ClientSocket;
  batches: BatchRecorder;
  /** Everything the server sent on the socket: live batches and acknowledgements. */
  received: unknown[];
  close(): Promise<void>;
};

/** Fast retries so a test sees several tries in well under a second. */
export const FAST_TUNING = { retryBaseMs: 20, retryMaxMs: 100, pairRateDelayMs: 300, idlePollMs: 50 } as const;

export async function startHarness(
  input: { fake?: FakeGraph; dataDir?: string; fakeOptions?: FakeGraphOptions; keepData?: boolean } = {},
): Promise<Harness> {
  const fake = input.fake ?? (await startFakeGraph(input.fakeOptions));
  const server = await startTestServer({
    graph: { baseUrl: fake.url, version: 'v21.0' },
    ...(input.dataDir === undefined ? {} : { dataDir: input.dataDir }),
  });
  server.outbound.tune(FAST_TUNING);
  const session = input.dataDir === undefined ? await signIn(server) : await signInAgain(server);
  const { socket, batches } = await connectReady(server, session.token);
  const received: unknown[] = [];
  socket.on('sync:changes', (batch) => received.push(batch));
  return {
    server,
    fake,
    token: session.token,
    agentId: session.agent.id,
    socket,
    batches,
    received,
    close: async () => {
      if (input.keepData === true) await server.close();
      else await server.cleanup();
      if (input.fake === undefined) await fake.close();
    },
  };
}

/** After a restart on the same data folder, the test agent exists already. */
async function signInAgain(server: TestServer): Promise<{ token: string; agent: { id: string } }> {
  const response = await login(server, { email: AGENT.email, password: AGENT.password });
  if (response.status !== 200) throw new Error(`Login answered ${response.status}`);
  return (await response.json()) as { token: string; agent: { id: string } };
}

const ReplySchema = z.union([MutationSuccessSchema, FailureSchema]);

/** `mutate` over the socket; the acknowledgement parsed with the protocol's schemas and recorded. */
export async function mutate(
  harness: Pick<Harness, 'socket' | 'received'>,
  mutation: Mutation,
): Promise<MutationResult> {
  const reply: unknown = await harness.socket.timeout(EVENT_TIMEOUT_MS).emitWithAck('mutate', mutation);
  harness.received.push(reply);
  return ReplySchema.parse(reply);
}

export function clientId(): string {
  return `c-${randomUUID()}`;
}

export function sendText(
  conversationId: string,
  text: string,
  extra: Partial<Extract<Mutation, { type: 'message.send' }>> = {},
): Extract<Mutation, { type: 'message.send' }> {
  return {
    type: 'message.send',
    clientId: clientId(),
    conversationId,
    content: { kind: 'text', text },
    replyToMessageId: null,
    humanAgentTag: false,
    ...extra,
  };
}

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

export type SeededThread = {
  conversationId: string;
  contactId: string;
  customerId: string;
  /** The customer's last message (our id and the platform's). */
  inboundMessageId: string;
  inboundExternalId: string;
};

/**
 * A customer thread written straight into the store, with its window measured from
 * `lastInboundAt` exactly as inbound webhooks set it (24 h; Messenger/Instagram also 7 days
 * for HUMAN_AGENT). Seeding directly keeps these tests about sending, whatever the webhook
 * parsers do.
 */
export async function seedThread(
  server: TestServer,
  input: { channel: Channel; lastInboundAt?: number; customerId?: string; unread?: number },
): Promise<SeededThread> {
  const account = await findChannelAccount(server.store, input.channel, ACCOUNT_IDS[input.channel]);
  if (account === undefined) throw new Error(`no ${input.channel} account`);
  const customerId =
    input.customerId ??
    (input.channel === 'whatsapp'
      ? `1555${String(Date.now()).slice(-7)}`
      : `${Date.now()}${Math.floor(Math.random() * 1000)}`);
  const lastInboundAt = input.lastInboundAt ?? Date.now() - HOUR_MS;
  const kind = input.channel === 'whatsapp' ? 'wa_id' : input.channel === 'messenger' ? 'psid' : 'igsid';
  const inboundExternalId =
    input.channel === 'whatsapp'
      ? `wamid.IN${randomUUID().replaceAll('-', '')}`
      : `m_IN${randomUUID().replaceAll('-', '')}`;
  return server.store.write(async (trx, changes) => {
    const now = Date.now();
    const contactId = newId();
    await trx
      .insertInto('contacts')
      .values({
        id: contactId,
        name: `Customer ${customerId.slice(-4)}`,
        avatar_media_id: null,
        phone: input.channel === 'whatsapp' ? customerId : null,
        merged_into: null,
        profile_fetched_at: null,
        created_at: now,
        seq: await changes.nextSeq('contact', contactId),
      })
      .execute();
    await trx
      .insertInto('contact_identities')
      .values({ channel: input.channel, kind, external_id: customerId, contact_id: contactId, created_at: now })
      .execute();
    const conversationId = newId();
    await trx
      .insertInto('conversations')
      .values({
        id: conversationId,
        channel: input.channel,
        channel_account_id: account.id,
        contact_id: contactId,
        status: 'open',
        assignee_id: null,
        // The team of its inbox, as an inbound message would have set it.
        team_id:
          (
            await trx
              .selectFrom('team_inboxes')
              .select('team_id')
              .where('channel_account_id', '=', account.id)
              .executeTakeFirst()
          )?.team_id ?? null,
        labels: '[]',
        last_message_at: lastInboundAt,
        last_message_preview: 'Hello?',
        last_inbound_at: lastInboundAt,
        window_open_until: lastInboundAt + DAY_MS,
        human_agent_until: input.channel === 'whatsapp' ? null : lastInboundAt + 7 * DAY_MS,
        unread_count: input.unread ?? 1,
        created_at: now,
        seq: await changes.nextSeq('conversation', conversationId),
      })
      .execute();
    const inboundMessageId = newId();
    await trx
      .insertInto('messages')
      .values({
        id: inboundMessageId,
        conversation_id: conversationId,
        channel: input.channel,
        client_id: null,
        external_id: inboundExternalId,
        direction: 'inbound',
        kind: 'text',
        text: 'Hello?',
        author_agent_id: null,
        status: 'received',
        attachments: '[]',
        location: null,
        shared_contacts: '[]',
        reply_to: null,
        interactive: null,
        reactions: '[]',
        forwarded: 'no',
        template: null,
        human_agent_tag: 0,
        error: null,
        edited_at: null,
        deleted_at: null,
        created_at: lastInboundAt,
        received_at: now,
        raw: null,
        seq: await changes.nextSeq('message', inboundMessageId),
      })
      .execute();
    return { conversationId, contactId, customerId, inboundMessageId, inboundExternalId };
  });
}

export async function readMessage(server: TestServer, id: string): Promise<Message> {
  const row = await server.store.db
    .selectFrom('messages')
    .select(MESSAGE_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return messageFromRow(row);
}

/** Polls the store until the message matches (status webhooks and the worker are asynchronous). */
export async function waitForMessage(
  server: TestServer,
  id: string,
  predicate: (message: Message) => boolean,
  what: string,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<Message> {
  const deadline = Date.now() + timeoutMs;
  let last: Message | null = null;
  while (Date.now() < deadline) {
    last = await readMessage(server, id);
    if (predicate(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`message ${id} did not become ${what} within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

export async function jobsOf(
  server: TestServer,
  conversationId: string,
): Promise<{ kind: string; state: string; attempts: number }[]> {
  const rows = await server.store.db
    .selectFrom('outbound_jobs')
    .select(['kind', 'state', 'attempts'])
    .where('conversation_id', '=', conversationId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ kind: row.kind, state: row.state, attempts: Number(row.attempts) }));
}

/** Waits until no job of the conversation is queued or under way. */
export async function waitForIdle(
  server: TestServer,
  conversationId: string,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const jobs = await jobsOf(server, conversationId);
    if (jobs.every((job) => job.state === 'done' || job.state === 'failed')) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(
    `jobs of ${conversationId} still running after ${timeoutMs} ms: ${JSON.stringify(await jobsOf(server, conversationId))}`,
  );
}

export async function conversationRow(
  server: TestServer,
  id: string,
): Promise<{ windowOpenUntil: number | null; humanAgentUntil: number | null; unreadCount: number; seq: number }> {
  const row = await server.store.db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const nullable = (value: number | null): number | null => (value === null ? null : Number(value));
  return {
    windowOpenUntil: nullable(row.window_open_until),
    humanAgentUntil: nullable(row.human_agent_until),
    unreadCount: Number(row.unread_count),
    seq: Number(row.seq),
  };
}

/** A tiny valid PNG and PDF, for uploads the media service will accept. */
export const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
export const PDF_BYTES = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/** Uploads a file as the app does (POST /api/media), for a conversation; answers its media id. */
export async function uploadMedia(
  harness: Pick<Harness, 'server' | 'token'>,
  input: { conversationId: string; bytes: Buffer; mimeType: string; fileName: string },
): Promise<string> {
  const form = new FormData();
  form.append('conversationId', input.conversationId);
  form.append('file', new Blob([new Uint8Array(input.bytes)], { type: input.mimeType }), input.fileName);
  const response = await fetch(new URL('/api/media', harness.server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${harness.token}` },
    body: form,
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${text}`);
  return z.object({ mediaId: z.string() }).parse(JSON.parse(text)).mediaId;
}
