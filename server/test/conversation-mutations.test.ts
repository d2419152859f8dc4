import { randomUUID } from 'node:crypto';
import { MutationSchema, type Mutation, type MutationResult } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EVENT_TIMEOUT_MS,
  connectReady,
  deliver,
  signIn,
  startTestServer,
  whatsappText,
  type ClientSocket,
  type TestServer,
} from './helpers.js';

let server: TestServer;
let socket: ClientSocket;
let agentId: string;
let conversationId: string;

async function mutate(on: ClientSocket, mutation: Mutation): Promise<MutationResult> {
  MutationSchema.parse(mutation);
  return (await on.timeout(EVENT_TIMEOUT_MS).emitWithAck('mutate', mutation)) as MutationResult;
}

async function conversation(): Promise<{ assignee_id: string | null; status: string; labels: string; seq: number }> {
  return server.store.db
    .selectFrom('conversations')
    .select(['assignee_id', 'status', 'labels', 'seq'])
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
}

async function agentSocket(email: string, role: 'agent' | 'supervisor'): Promise<{ socket: ClientSocket; id: string }> {
  const created = await server.agents.createAgent({
    email,
    name: email.split('@')[0] ?? email,
    role,
    password: 'pw-123456',
  });
  const session = await server.agents.login(email, 'pw-123456');
  if (session === null) throw new Error('login failed');
  const ready = await connectReady(server, session.token);
  return { socket: ready.socket, id: created.id };
}

beforeEach(async () => {
  server = await startTestServer();
  const session = await signIn(server);
  agentId = session.agent.id;
  socket = (await connectReady(server, session.token)).socket;
  await deliver(
    server,
    'whatsapp',
    whatsappText({
      from: '447700900123',
      name: 'Oliver',
      id: 'wamid.CM1',
      text: 'Hi',
      timestampSeconds: 1_760_000_000,
    }),
  );
  conversationId = (await server.store.db.selectFrom('conversations').select('id').executeTakeFirstOrThrow()).id;
});

afterEach(async () => {
  await server.cleanup();
});

describe('notes, assignment, status and labels', () => {
  it('stores a private note as a message of kind note, never sent anywhere', async () => {
    const result = await mutate(socket, {
      type: 'message.note',
      clientId: randomUUID(),
      conversationId,
      text: 'Customer is a VIP: offer free shipping.',
      mentions: [],
    });
    expect(result.ok).toBe(true);
    expect(result.ok && result.message).toMatchObject({ kind: 'note', authorAgentId: agentId, externalId: null });
    const jobs = await server.store.db.selectFrom('outbound_jobs').select('id').execute();
    expect(jobs).toHaveLength(0);
  });

  it('applies a repeated client id once', async () => {
    const note: Mutation = { type: 'message.note', clientId: randomUUID(), conversationId, text: 'Once', mentions: [] };
    const [first, second] = await Promise.all([mutate(socket, note), mutate(socket, note)]);
    expect(first.ok && second.ok).toBe(true);
    const notes = await server.store.db.selectFrom('messages').select('id').where('kind', '=', 'note').execute();
    expect(notes).toHaveLength(1);
  });

  it('lets an agent take an unassigned conversation, change its status and label it', async () => {
    expect(
      await mutate(socket, {
        type: 'conversation.assign',
        clientId: randomUUID(),
        conversationId,
        assigneeId: agentId,
      }),
    ).toEqual({ ok: true });
    expect(
      await mutate(socket, {
        type: 'conversation.setStatus',
        clientId: randomUUID(),
        conversationId,
        status: 'resolved',
      }),
    ).toEqual({ ok: true });
    for (const label of ['vip', 'billing', 'vip']) {
      await mutate(socket, {
        type: 'conversation.label',
        clientId: randomUUID(),
        conversationId,
        label,
        action: 'add',
      });
    }
    await mutate(socket, {
      type: 'conversation.label',
      clientId: randomUUID(),
      conversationId,
      label: 'billing',
      action: 'remove',
    });
    const row = await conversation();
    expect(row).toMatchObject({ assignee_id: agentId, status: 'resolved' });
    expect(JSON.parse(row.labels)).toEqual(['vip']);
  });

  it('refuses, naming who has it, an agent acting on a colleague’s conversation; a supervisor may reassign it', async () => {
    const ben = await agentSocket('ben@example.com', 'agent');
    expect(
      await mutate(socket, {
        type: 'conversation.assign',
        clientId: randomUUID(),
        conversationId,
        assigneeId: agentId,
      }),
    ).toEqual({ ok: true });
    const before = await conversation();

    const refused = await mutate(ben.socket, {
      type: 'conversation.setStatus',
      clientId: randomUUID(),
      conversationId,
      status: 'pending',
    });
    expect(refused).toMatchObject({ ok: false, code: 'forbidden' });
    expect(refused).toMatchObject({ reason: 'not_assignee', params: { assigneeName: 'Alex Agent' } });
    const grab = await mutate(ben.socket, {
      type: 'conversation.assign',
      clientId: randomUUID(),
      conversationId,
      assigneeId: ben.id,
    });
    expect(grab).toMatchObject({
      ok: false,
      code: 'conflict',
      reason: 'already_taken',
      params: { assigneeName: 'Alex Agent' },
    });
    expect(await conversation()).toEqual(before);

    const sam = await agentSocket('sam@example.com', 'supervisor');
    expect(
      await mutate(sam.socket, {
        type: 'conversation.assign',
        clientId: randomUUID(),
        conversationId,
        assigneeId: ben.id,
      }),
    ).toEqual({ ok: true });
    expect((await conversation()).assignee_id).toBe(ben.id);
  });

  it('refuses to give a conversation to someone else unless a supervisor asks', async () => {
    const ben = await agentSocket('ben@example.com', 'agent');
    const result = await mutate(socket, {
      type: 'conversation.assign',
      clientId: randomUUID(),
      conversationId,
      assigneeId: ben.id,
    });
    expect(result).toMatchObject({ ok: false, code: 'forbidden' });
    expect((await conversation()).assignee_id).toBeNull();
  });

  it('answers not_found for a conversation that does not exist', async () => {
    const result = await mutate(socket, {
      type: 'conversation.setStatus',
      clientId: randomUUID(),
      conversationId: 'nope',
      status: 'open',
    });
    expect(result).toMatchObject({ ok: false, code: 'not_found' });
  });
});
