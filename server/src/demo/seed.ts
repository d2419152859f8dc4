import type { AgentRole } from '@parley/protocol';
import type { Agents } from '../modules/agents/index.js';
import { DEMO_BUSINESS } from './simulator.js';
import { upsertChannelAccount } from '../modules/channelAccounts/index.js';
import type { Store } from '../platform/store.js';

/** The accounts a demo server starts with. Never created outside demo mode. */
export const DEMO_PASSWORD = 'parley-demo';

export const DEMO_ACCOUNTS: readonly { email: string; name: string; role: AgentRole }[] = [
  { email: 'ana@parley.demo', name: 'Ana Lima', role: 'agent' },
  { email: 'ben@parley.demo', name: 'Ben Okafor', role: 'agent' },
  { email: 'chloe@parley.demo', name: 'Chloé Martin', role: 'agent' },
  { email: 'sam@parley.demo', name: 'Sam Reyes', role: 'supervisor' },
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
}
