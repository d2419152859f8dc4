import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_STORY_CUSTOMERS,
  seedDemoAgents,
  seedDemoCannedResponses,
  seedDemoChannels,
  seedDemoStory,
} from '../src/demo/seed.js';
import { Simulator } from '../src/demo/simulator.js';
import { APP_SECRET, VERIFY_TOKEN, startTestServer, type TestServer } from './helpers.js';

/** The demo shows every inbox feature: canned responses, a mention, a contact note, a snooze. */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await seedDemoAgents(server.agents);
  await seedDemoChannels(server.store, APP_SECRET, VERIFY_TOKEN);
});

afterAll(async () => {
  await server.cleanup();
});

async function agentId(email: string): Promise<string> {
  return (await server.store.db.selectFrom('agents').select('id').where('email', '=', email).executeTakeFirstOrThrow())
    .id;
}

describe('the demo seed', () => {
  it('makes shared canned responses with variables and one of each demo user’s own, once', async () => {
    expect(await seedDemoCannedResponses(server.store)).toBe(8);
    expect(await seedDemoCannedResponses(server.store)).toBe(0);
    const rows = await server.store.db.selectFrom('canned_responses').selectAll().execute();
    const shared = rows.filter((row) => row.owner_id === null);
    expect(shared.map((row) => row.shortcut).sort()).toEqual(['hello', 'shipping', 'thanks']);
    expect(shared.every((row) => row.body.includes('{{contact.name}}'))).toBe(true);
    expect(shared.some((row) => row.body.includes('{{agent.name}}'))).toBe(true);
    const owners = new Set(rows.flatMap((row) => (row.owner_id === null ? [] : [row.owner_id])));
    expect(owners.size).toBe(5);
  });

  it('plays the story once: a note about the customer, a note mentioning a colleague, a snoozed conversation', async () => {
    const simulator = new Simulator({
      baseUrl: server.url,
      appSecret: APP_SECRET,
      intervalMs: 60_000,
      log: server.app.log,
    });
    const deps = { store: server.store, outbound: server.outbound };
    expect(await seedDemoStory(deps, simulator)).toBe(true);
    const conversationOf = (customerId: string) =>
      server.store.db
        .selectFrom('conversations')
        .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
        .innerJoin('contact_identities', 'contact_identities.contact_id', 'contacts.id')
        .select(['conversations.id', 'conversations.status', 'conversations.snoozed_until', 'contacts.note'])
        .where('contact_identities.external_id', '=', customerId)
        .executeTakeFirstOrThrow();
    const refund = await conversationOf(DEMO_STORY_CUSTOMERS.refund.id);
    expect(refund.note).toContain('Prefers English');
    const note = await server.store.db
      .selectFrom('messages')
      .select(['mentions', 'author_agent_id'])
      .where('conversation_id', '=', refund.id)
      .where('kind', '=', 'note')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(note.mentions)).toEqual([await agentId('ana@parley.demo')]);
    expect(note.author_agent_id).toBe(await agentId('sam@parley.demo'));
    const holiday = await conversationOf(DEMO_STORY_CUSTOMERS.holiday.id);
    expect(holiday.status).toBe('snoozed');
    expect(Number(holiday.snoozed_until)).toBeGreaterThan(Date.now());
    expect(await seedDemoStory(deps, simulator)).toBe(false);
    simulator.dispose();
  });
});
