import { randomUUID } from 'node:crypto';
import {
  PROTOCOL_VERSION,
  SOCKET_AUTH_TOKEN,
  type ClientToServerEvents,
  type Mutation,
  type MutationResult,
  type ServerToClientEvents,
} from '@parley/protocol';
import { loadConfig, upsertChannelAccount } from '@parley/server/testing';
import sharp from 'sharp';
import { io, type Socket } from 'socket.io-client';
import { DEMO_TEMPLATES } from '../fake-graph/demo-templates.js';
import { startFakeGraph, type FakeGraph } from '../fake-graph/server.js';
import {
  AGENT,
  APP_SECRET,
  TEST_ACCOUNTS,
  VERIFY_TOKEN,
  postWebhook,
  startTestServer,
  type TestServer,
} from './server.js';

/**
 * A small, fixed inbox for tests that look at whole screens (accessibility, screenshots):
 * an agent and a supervisor, six customers on WhatsApp (one with a picture, one whose
 * window has closed), and the fake Graph API for media and templates. The agent has four of them, two wait
 * unassigned in the queue. `writeNote` adds a private note.
 */

export const SUPERVISOR = { email: 'sam@example.com', name: 'Sam Supervisor', password: 'correct horse battery' };
export const WABA_ID = 'WABA_TEST_1';
export const PICTURE_CUSTOMER = { name: 'Sofia Marques', waId: '351912000111' };
export const CUSTOMERS = [
  { name: 'Hannah Weber', waId: '447700900301', text: 'Hello? Is anyone there?' },
  { name: 'Yusuf Demir', waId: '447700900302', text: 'I would like a refund for order 5521' },
  { name: 'Priya Nair', waId: '447700900303', text: 'Do you ship to Slovenia?' },
  { name: 'Oliver Bennett', waId: '447700900304', text: 'Where is my parcel? Tracking says delivered.' },
];
/** Wrote 30 hours ago: the WhatsApp window is closed, only a template can be sent. */
export const LATE_CUSTOMER = { name: 'Mariana Souza', waId: '5511987650001', text: 'Any news about my order?' };
export const NOTE_TEXT = 'Customer since 2021 — offer the loyalty discount if the size is out of stock.';

export type Scene = {
  server: TestServer;
  graph: FakeGraph;
  agentId: string;
  close(): Promise<void>;
};

function whatsapp(customer: { name: string; waId: string }, messages: object[]): object {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550100001', phone_number_id: TEST_ACCOUNTS.whatsapp },
              contacts: [{ profile: { name: customer.name }, wa_id: customer.waId }],
              messages: messages.map((message) => ({ from: customer.waId, ...message })),
            },
          },
        ],
      },
    ],
  };
}

async function webhook(server: TestServer, body: object): Promise<void> {
  const response = await postWebhook(server.url, 'whatsapp', body);
  if (response.status !== 200) throw new Error(`the webhook was answered ${response.status}`);
}

/** Runs one mutation as `who`, through the socket like the app (a note has no other way in today). */
export async function mutateAs(
  server: TestServer,
  who: { email: string; password: string },
  mutation: Mutation,
): Promise<MutationResult> {
  const session = await server.agents.login(who.email, who.password);
  if (session === null) throw new Error(`${who.email} could not sign in`);
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, {
    transports: ['websocket'],
    auth: { [SOCKET_AUTH_TOKEN]: session.token },
    extraHeaders: { origin: server.url },
  });
  try {
    await socket.emitWithAck('hello', { protocolVersion: PROTOCOL_VERSION, client: 'test-scene' });
    return await socket.emitWithAck('mutate', mutation);
  } finally {
    socket.close();
  }
}

/** Starts the server and the fake Graph API and writes the scene's conversations. */
export async function startScene(): Promise<Scene> {
  const graph = await startFakeGraph({ templates: { [WABA_ID]: DEMO_TEMPLATES } });
  const server = await startTestServer({ graph: { baseUrl: graph.url, version: loadConfig({}).graph.version } });
  const agentId = (await server.agents.createAgent({ ...AGENT, role: 'agent' })).id;
  await server.agents.createAgent({ ...SUPERVISOR, role: 'supervisor' });
  // The WhatsApp number with its business account, so its approved templates are known.
  await upsertChannelAccount(server.store, {
    channel: 'whatsapp',
    externalId: TEST_ACCOUNTS.whatsapp,
    name: 'Test whatsapp',
    wabaId: WABA_ID,
    accessToken: 'test-token-whatsapp',
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
  });
  await server.outbound.syncTemplates();
  await webhook(
    server,
    whatsapp(LATE_CUSTOMER, [
      {
        id: 'wamid.SCENEL1',
        timestamp: String(Math.floor(Date.now() / 1000) - 30 * 3600),
        type: 'text',
        text: { body: LATE_CUSTOMER.text },
      },
    ]),
  );
  // Fixed stamps, a few minutes apart and recent, so the order and the open windows hold.
  const base = Math.floor(Date.now() / 1000) - 30 * 60;
  for (const [index, customer] of CUSTOMERS.entries()) {
    await webhook(
      server,
      whatsapp(customer, [
        {
          id: `wamid.SCENE${index}`,
          timestamp: String(base + index * 60),
          type: 'text',
          text: { body: customer.text },
        },
      ]),
    );
  }
  // A drawn sneaker: what the customer asks about, recognisable in a picture of the thread.
  const picture = await sharp(
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320">
      <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
        <stop offset="0" stop-color="#e3f2fd"/><stop offset="1" stop-color="#90caf9"/></linearGradient></defs>
      <rect width="480" height="320" fill="url(#g)"/>
      <ellipse cx="240" cy="262" rx="170" ry="16" fill="#000" opacity="0.12"/>
      <path d="M90 230 C 100 170, 150 150, 200 150 L 250 120 C 270 150, 320 170, 380 190 C 410 200, 410 240, 390 248 L 100 248 C 88 248, 86 238, 90 230 Z" fill="#1e63c6"/>
      <path d="M96 236 L 396 236 L 392 252 L 100 252 Z" fill="#ffffff"/>
      <path d="M205 160 L 230 190 M 220 150 L 245 180 M 235 140 L 260 170" stroke="#ffffff" stroke-width="6" stroke-linecap="round"/>
      <circle cx="330" cy="205" r="10" fill="#ffffff" opacity="0.9"/>
    </svg>`),
  )
    .jpeg({ quality: 85 })
    .toBuffer();
  const mediaId = graph.addMedia(picture, 'image/jpeg');
  await webhook(
    server,
    whatsapp(PICTURE_CUSTOMER, [
      {
        id: 'wamid.SCENEP1',
        timestamp: String(base + 10 * 60),
        type: 'text',
        text: { body: 'Hi! Do you still have the Acme Runner in blue? 👟' },
      },
      {
        id: 'wamid.SCENEP2',
        timestamp: String(base + 11 * 60),
        type: 'image',
        image: { id: mediaId, mime_type: 'image/jpeg', sha256: 'unchecked', caption: 'This one, size 38' },
      },
    ]),
  );
  // The agent's own conversations (the Mine view); the first two customers wait in the queue.
  for (const name of [
    PICTURE_CUSTOMER.name,
    LATE_CUSTOMER.name,
    ...CUSTOMERS.slice(2).map((customer) => customer.name),
  ]) {
    const result = await mutateAs(server, AGENT, {
      type: 'conversation.assign',
      clientId: randomUUID().replaceAll('-', ''),
      conversationId: await conversationOf(server, name),
      assigneeId: agentId,
    });
    if (!result.ok) throw new Error(`assigning ${name} was refused: ${JSON.stringify(result)}`);
  }
  return {
    server,
    graph,
    agentId,
    close: async () => {
      await server.cleanup();
      await graph.close();
    },
  };
}

/** The id of a customer's conversation, from the server's own records. */
export async function conversationOf(server: TestServer, name: string): Promise<string> {
  const row = await server.store.db
    .selectFrom('conversations')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select('conversations.id')
    .where('contacts.name', '=', name)
    .executeTakeFirst();
  if (row === undefined) throw new Error(`no conversation with ${name}`);
  return row.id;
}

/** A private note in a customer's conversation, written by the agent. */
export async function writeNote(server: TestServer, name: string, text: string): Promise<void> {
  const conversationId = await conversationOf(server, name);
  const result = await mutateAs(server, AGENT, {
    type: 'message.note',
    clientId: randomUUID().replaceAll('-', ''),
    conversationId,
    text,
    mentions: [],
  });
  if (!result.ok) throw new Error(`the note was refused: ${JSON.stringify(result)}`);
}
