import { randomUUID } from 'node:crypto';
import { afterEach, expect, test } from 'vitest';
import { createTeam, setTeamMembers } from '../../src/modules/teams/index.js';
import { deliver, startTestServer, whatsappText, type TestServer } from '../helpers.js';
import { testDatabaseUrl } from '../support/database.js';
import { activities, makeUser, whatsappInbox, type User } from '../team-support.js';

/**
 * Two nodes on one database decide auto-assignments at the same moment: each new
 * conversation is assigned once, by one of them, and no agent goes past their capacity.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function twoNodes(): Promise<[TestServer, TestServer]> {
  const a = await startTestServer();
  cleanups.push(() => a.cleanup());
  const b = await startTestServer({ databaseUrl: await testDatabaseUrl(a.dataDir) });
  cleanups.push(() => b.cleanup());
  return [a, b];
}

function customerMessage(from: string, id: string): Record<string, unknown> {
  return whatsappText({
    from,
    name: `Customer ${from}`,
    id,
    text: 'hello',
    timestampSeconds: Math.floor(Date.now() / 1000),
  });
}

test('two nodes assigning new conversations at once: one assignment each, nobody over capacity', async () => {
  const [a, b] = await twoNodes();
  const agents: User[] = [];
  for (const name of ['Ana', 'Ben', 'Cy']) agents.push(await makeUser(a, name, 'agent', { capacity: 2 }));
  const team = await createTeam(a.store, {
    name: 'Sales',
    channelAccountIds: [await whatsappInbox(a)],
    autoAssign: true,
    offlineGraceMinutes: 10,
  });
  if ('ok' in team) throw new Error('team not made');
  await setTeamMembers(
    a.store,
    team.id,
    agents.map((agent) => agent.id),
  );
  // Online as presence writes it, after both nodes started (a start marks everyone Offline).
  await a.store.db
    .updateTable('agents')
    .set({ presence: 'online', presence_at: Date.now() })
    .where(
      'id',
      'in',
      agents.map((agent) => agent.id),
    )
    .execute();

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
