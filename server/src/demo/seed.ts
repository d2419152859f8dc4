import type { AgentRole } from '@parley/protocol';
import type { Agents } from '../modules/agents/index.js';
import { runMutation, type MutationDeps } from '../modules/mutations/index.js';
import { DEMO_BUSINESS, type Customer, type Simulator } from './simulator.js';
import { upsertChannelAccount } from '../modules/channelAccounts/index.js';
import { createTeam, listTeams, setTeamMembers } from '../modules/teams/index.js';
import type { Store } from '../platform/store.js';

/** The accounts a demo server starts with. Never created outside demo mode. */
export const DEMO_PASSWORD = 'parley-demo';

export const DEMO_ACCOUNTS: readonly { email: string; name: string; role: AgentRole }[] = [
  { email: 'ana@parley.demo', name: 'Ana Lima', role: 'agent' },
  { email: 'ben@parley.demo', name: 'Ben Okafor', role: 'agent' },
  { email: 'chloe@parley.demo', name: 'Chloé Martin', role: 'agent' },
  { email: 'sam@parley.demo', name: 'Sam Reyes', role: 'supervisor' },
  { email: 'olivia@parley.demo', name: 'Olivia Admin', role: 'admin' },
];

export async function seedDemoAgents(agents: Agents): Promise<number> {
  let created = 0;
  for (const account of DEMO_ACCOUNTS) {
    if (await agents.hasAgent(account.email)) continue;
    await agents.createAgent({ ...account, password: DEMO_PASSWORD });
    created += 1;
  }
  return created;
}

/** The demo brand's WhatsApp number, Facebook Page and Instagram account. */
export async function seedDemoChannels(store: Store, appSecret: string, verifyToken: string): Promise<void> {
  const names = { whatsapp: 'Acme Store (WhatsApp)', messenger: 'Acme Store', instagram: '@acmestore' } as const;
  for (const channel of ['whatsapp', 'messenger', 'instagram'] as const) {
    await upsertChannelAccount(store, {
      channel,
      externalId: DEMO_BUSINESS[channel],
      name: names[channel],
      displayPhoneNumber: channel === 'whatsapp' ? '+1 555 010 0001' : null,
      // The fake Graph API (test/fake-graph) serves this business account's templates.
      wabaId: channel === 'whatsapp' ? 'WABA_DEMO' : null,
      accessToken: `demo-token-${channel}`,
      appSecret,
      verifyToken,
      humanAgentEnabled: channel !== 'whatsapp',
    });
  }
  await seedDemoTeams(store);
}

/**
 * The demo's teams, so supervisors have something to supervise: Sales answers the WhatsApp
 * number, Support the Page and the Instagram account, both assigning automatically. Ana
 * sells, Ben supports, Chloé does both; Sam supervises both. Made once: an admin's later
 * changes stay.
 */
export async function seedDemoTeams(store: Store): Promise<void> {
  const existing = await listTeams(store.db);
  if (existing.some((team) => team.name === 'Sales' || team.name === 'Support')) return;
  const accounts = await store.db.selectFrom('channel_accounts').select(['id', 'channel', 'external_id']).execute();
  const agents = await store.db.selectFrom('agents').select(['id', 'email']).execute();
  const inboxes = (channels: readonly string[]): string[] =>
    accounts
      .filter(
        (account) =>
          channels.includes(account.channel) &&
          account.external_id === (DEMO_BUSINESS as Record<string, string>)[account.channel],
      )
      .map((account) => account.id);
  const people = (emails: readonly string[]): string[] =>
    agents.filter((agent) => emails.includes(agent.email)).map((agent) => agent.id);
  const teams = [
    { name: 'Sales', channels: ['whatsapp'], members: ['ana@parley.demo', 'chloe@parley.demo', 'sam@parley.demo'] },
    {
      name: 'Support',
      channels: ['messenger', 'instagram'],
      members: ['ben@parley.demo', 'chloe@parley.demo', 'sam@parley.demo'],
    },
  ];
  for (const spec of teams) {
    const team = await createTeam(store, {
      name: spec.name,
      channelAccountIds: inboxes(spec.channels),
      autoAssign: true,
    });
    if ('ok' in team) throw new Error(`The demo team ${spec.name} could not be made (${team.reason ?? team.code}).`);
    await setTeamMembers(store, team.id, people(spec.members));
  }
}

/** The demo's canned responses: three shared ones, and one of each demo user's own. */
const DEMO_CANNED: readonly { id: string; shortcut: string; title: string; body: string; owner: string | null }[] = [
  {
    id: 'demo-canned-hello',
    shortcut: 'hello',
    title: 'Greeting',
    body: 'Hi {{contact.name}}, this is {{agent.name}} from Acme Store. How can I help you today?',
    owner: null,
  },
  {
    id: 'demo-canned-thanks',
    shortcut: 'thanks',
    title: 'Thanks and goodbye',
    body: 'Thank you for your message, {{contact.name}}! Write to us here any time. {{agent.name}}',
    owner: null,
  },
  {
    id: 'demo-canned-shipping',
    shortcut: 'shipping',
    title: 'Shipping times',
    body: 'Orders ship within 2 working days, {{contact.name}}: 3 to 5 days in Europe, 7 to 10 elsewhere. You get a tracking link by email.',
    owner: null,
  },
  {
    id: 'demo-canned-ana',
    shortcut: 'sizes',
    title: 'Size guide',
    body: 'Our size guide is at acme.example/sizes, {{contact.name}}. Between two sizes? Take the larger one. Ana',
    owner: 'ana@parley.demo',
  },
  {
    id: 'demo-canned-ben',
    shortcut: 'refund',
    title: 'Refund started',
    body: 'I have started your refund, {{contact.name}}: it reaches your card in 5 to 7 working days. {{agent.name}}',
    owner: 'ben@parley.demo',
  },
  {
    id: 'demo-canned-chloe',
    shortcut: 'merci',
    title: 'Merci',
    body: 'Merci {{contact.name}} ! Bonne journée, {{agent.name}}',
    owner: 'chloe@parley.demo',
  },
  {
    id: 'demo-canned-sam',
    shortcut: 'escalate',
    title: 'Passing it on',
    body: 'Thanks for your patience, {{contact.name}}. I am passing this to a specialist who will write to you today.',
    owner: 'sam@parley.demo',
  },
  {
    id: 'demo-canned-olivia',
    shortcut: 'hours',
    title: 'Opening hours',
    body: 'We answer Monday to Saturday, 9:00 to 19:00 (Paris time), {{contact.name}}.',
    owner: 'olivia@parley.demo',
  },
];

/**
 * The demo's canned responses, so `/` in the composer shows something. Made once; what
 * users later change or delete stays.
 */
export async function seedDemoCannedResponses(store: Store): Promise<number> {
  const agents = await store.db.selectFrom('agents').select(['id', 'email']).execute();
  const known = new Set((await store.db.selectFrom('canned_responses').select('id').execute()).map((row) => row.id));
  let created = 0;
  for (const canned of DEMO_CANNED) {
    if (known.has(canned.id)) continue;
    const ownerId = canned.owner === null ? null : (agents.find((agent) => agent.email === canned.owner)?.id ?? null);
    if (canned.owner !== null && ownerId === null) continue;
    const now = Date.now();
    await store.write(async (trx, changes) => {
      await trx
        .insertInto('canned_responses')
        .values({
          id: canned.id,
          shortcut: canned.shortcut,
          title: canned.title,
          body: canned.body,
          owner_id: ownerId,
          deleted: 0,
          created_at: now,
          updated_at: now,
          seq: await changes.nextSeq('cannedResponse', canned.id),
        })
        .execute();
    });
    created += 1;
  }
  return created;
}

/** Two customers outside the simulator's round, so what is done to them stays as the story says. */
export const DEMO_STORY_CUSTOMERS = {
  refund: { channel: 'whatsapp', id: '4915112345678', name: 'Hannah Weber' },
  holiday: { channel: 'whatsapp', id: '33698765432', name: 'Lucas Moreau' },
} as const satisfies Record<string, Customer>;

/**
 * A short story that shows the inbox's features on a fresh demo: a customer with a note
 * about them and a supervisor's note mentioning a colleague, and a customer snoozed until
 * they are back from holiday. Played once, through the webhooks and the one mutation path
 * like everything else; a demo that already has these customers is left as it is.
 */
export async function seedDemoStory(deps: MutationDeps, simulator: Simulator): Promise<boolean> {
  const { store } = deps;
  const seen = await store.db
    .selectFrom('contact_identities')
    .select('contact_id')
    .where('external_id', '=', DEMO_STORY_CUSTOMERS.refund.id)
    .executeTakeFirst();
  if (seen !== undefined) return false;
  const people = await store.db.selectFrom('agents').select(['id', 'email']).execute();
  const idOf = (email: string): string | undefined => people.find((agent) => agent.email === email)?.id;
  const [ana, sam] = [idOf('ana@parley.demo'), idOf('sam@parley.demo')];
  if (ana === undefined || sam === undefined) return false;
  await simulator.send(DEMO_STORY_CUSTOMERS.refund, 'Could you check whether my refund went through? Order #4790.');
  await simulator.send(
    DEMO_STORY_CUSTOMERS.holiday,
    'I am away until next week: can we sort out the exchange of my shoes when I am back?',
  );
  const conversationOf = async (customerId: string): Promise<{ id: string; contactId: string } | undefined> =>
    store.db
      .selectFrom('conversations')
      .innerJoin('contact_identities', 'contact_identities.contact_id', 'conversations.contact_id')
      .select(['conversations.id as id', 'conversations.contact_id as contactId'])
      .where('contact_identities.external_id', '=', customerId)
      .executeTakeFirst();
  const refund = await conversationOf(DEMO_STORY_CUSTOMERS.refund.id);
  const holiday = await conversationOf(DEMO_STORY_CUSTOMERS.holiday.id);
  if (refund === undefined || holiday === undefined) return false;
  await runMutation(deps, sam, {
    type: 'contact.setNote',
    clientId: 'demo-story-contact-note',
    contactId: refund.contactId,
    note: 'Prefers English. Second refund question this year: be quick and precise.',
  });
  await runMutation(deps, sam, {
    type: 'message.note',
    clientId: 'demo-story-mention',
    conversationId: refund.id,
    text: '@Ana Lima can you check the refund for order #4790 in the payments dashboard? I told her we would answer today.',
    mentions: [ana],
  });
  await runMutation(deps, ana, {
    type: 'conversation.snooze',
    clientId: 'demo-story-snooze',
    conversationId: holiday.id,
    until: Date.now() + 3 * 24 * 60 * 60 * 1000,
  });
  return true;
}
