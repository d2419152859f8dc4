import type { AgentRole } from '@parley/protocol';
import type { Agents } from '../modules/agents/index.js';
import { DEMO_BUSINESS } from './simulator.js';
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
