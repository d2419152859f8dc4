import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createTeam, setTeamMembers } from '../../src/modules/teams/index.js';
import {
  VERIFY_TOKEN,
  deliver,
  startServerProcess,
  startTestServer,
  whatsappText,
  type TestServer,
} from '../helpers.js';
import { testDatabaseUrl } from '../support/database.js';
import { twoNodesPerTest } from './two-nodes.js';
import { activities, makeUser, whatsappInbox, type User } from '../team-support.js';

/**
 * Two nodes on one database decide auto-assignments at the same moment: each new
 * conversation is assigned once, by one of them, and no agent goes past their capacity.
 */

// Registered first, so its stop runs after the file's own cleanups.
const twoNodes = twoNodesPerTest();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function customerMessage(from: string, id: string): Record<string, unknown> {
  return whatsappText({
    from,
    name: `Customer ${from}`,
    id,
    text: 'hello',
    timestampSeconds: Math.floor(Date.now() / 1000),
  });
}

/**
 * Three agents, each with room for `capacity`, in a team that assigns on its own, all
 * Online as presence writes it. Called once every node has started (a start marks everyone
 * Offline).
 */
async function autoAssigningTeam(a: TestServer, capacity: number): Promise<User[]> {
  const agents: User[] = [];
  for (const name of ['Ana', 'Ben', 'Cy']) agents.push(await makeUser(a, name, 'agent', { capacity }));
  const team = await createTeam(a.store, {
    name: 'Sales',
    channelAccountIds: [await whatsappInbox(a)],
    autoAssign: true,
    offlineGraceMinutes: 10,
  });
  if ('ok' in team) throw new Error('team not made');
  const ids = agents.map((agent) => agent.id);
  await setTeamMembers(a.store, team.id, ids);
  await a.store.db
    .updateTable('agents')
    .set({ presence: 'online', presence_at: Date.now() })
    .where('id', 'in', ids)
    .execute();
  return agents;
}

test('two nodes assigning new conversations at once: one assignment each, nobody over capacity', async () => {
  const [a, b] = await twoNodes();
  const agents = await autoAssigningTeam(a, 2);

  // Eight customers write at once, half through each node, and one of them has the same
  // message delivered to both nodes (Meta retrying on another node): six places for nine
  // deliveries of eight conversations.
  const customers = Array.from({ length: 8 }, (_, i) => `4477009${String(100 + i)}${String(Date.now()).slice(-3)}`);
  const deliveries = customers.map((from, i) => ({ node: i % 2 === 0 ? a : b, from, id: `wamid.R${randomUUID()}` }));
  const twice = deliveries[0];
  if (twice === undefined) throw new Error('no deliveries');
  await Promise.all([
    ...deliveries.map((delivery) => deliver(delivery.node, 'whatsapp', customerMessage(delivery.from, delivery.id))),
    deliver(b, 'whatsapp', customerMessage(twice.from, twice.id)),
  ]);

  const conversations = await a.store.db
    .selectFrom('conversations')
    .select(['id', 'assignee_id'])
    .where('channel', '=', 'whatsapp')
    .execute();
  expect(conversations).toHaveLength(8);
  const assigned = conversations.filter((conversation) => conversation.assignee_id !== null);
  expect(assigned).toHaveLength(6);
  // Each agent has exactly their capacity: six places, six conversations, none over.
  for (const agent of agents) {
    expect(assigned.filter((conversation) => conversation.assignee_id === agent.id)).toHaveLength(2);
  }
  // One assignment line each: no conversation was given twice, by one node and the other.
  for (const conversation of conversations) {
    const lines = (await activities(a, conversation.id)).filter(
      (line) => (line as { type?: string }).type === 'assignment',
    );
    expect(lines).toEqual(
      conversation.assignee_id === null
        ? []
        : [expect.objectContaining({ reason: 'auto', toAgentId: conversation.assignee_id, fromAgentId: null })],
    );
  }
  // The message delivered to both nodes is stored once.
  const stored = await a.store.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('external_id', '=', twice.id)
    .executeTakeFirstOrThrow();
  expect(Number(stored.n)).toBe(1);
});

/** A second node as a process of its own, on the first's database: it shares no memory with it. */
async function processNode(a: TestServer): Promise<{ url: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-node-b-'));
  const databaseUrl = await testDatabaseUrl(a.dataDir);
  if (databaseUrl === undefined) throw new Error('the cluster tests run on PostgreSQL');
  const { child, url } = startServerProcess({
    name: 'node B',
    dataDir,
    whatsapp: { name: 'Test whatsapp', accessToken: 'test-token-whatsapp', verifyToken: VERIFY_TOKEN },
    env: { DATABASE_URL: databaseUrl, PARLEY_NODE_ID: 'node-b' },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { url: await url };
}

test('the round among equally loaded agents goes on from one node to the other', async () => {
  const a = await startTestServer();
  cleanups.push(() => a.cleanup());
  const b = await processNode(a);
  const agents = await autoAssigningTeam(a, 5);

  // One customer at a time, through either node in turn, each conversation resolved before
  // the next: every pick is among three agents with nothing in hand, and goes round.
  const picks: string[] = [];
  for (let i = 0; i < 6; i += 1) {
    const from = `4477009${String(200 + i)}${String(Date.now()).slice(-3)}`;
    await deliver(i % 2 === 0 ? a : b, 'whatsapp', customerMessage(from, `wamid.T${randomUUID()}`));
    const conversation = await a.store.db
      .selectFrom('conversations')
      .innerJoin('contact_identities', 'contact_identities.contact_id', 'conversations.contact_id')
      .select(['conversations.id as id', 'conversations.assignee_id as assignee'])
      .where('contact_identities.external_id', '=', from)
      .executeTakeFirstOrThrow();
    if (conversation.assignee === null) throw new Error('not assigned');
    picks.push(conversation.assignee);
    await a.store.db
      .updateTable('conversations')
      .set({ status: 'resolved' })
      .where('id', '=', conversation.id)
      .execute();
  }
  // Each agent twice, never the same one twice in a row.
  for (const agent of agents) expect(picks.filter((pick) => pick === agent.id)).toHaveLength(2);
  for (let i = 1; i < picks.length; i += 1) expect(picks[i]).not.toBe(picks[i - 1]);
});
