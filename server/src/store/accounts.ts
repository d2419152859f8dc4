import type { Channel } from '@parley/protocol';
import type { Selectable } from 'kysely';
import { newId } from './ids.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

export type ChannelAccountRow = Selectable<Database['channel_accounts']>;

export type ChannelAccountInput = {
  channel: Channel;
  externalId: string;
  name: string;
  displayPhoneNumber?: string | null;
  wabaId?: string | null;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  throughputPerSecond?: number;
  humanAgentEnabled?: boolean;
};

/** Creates the account, or updates the one with the same channel and platform id. */
export async function upsertChannelAccount(store: Store, input: ChannelAccountInput): Promise<ChannelAccountRow> {
  return store.write(async (trx, changes) => {
    const existing = await trx
      .selectFrom('channel_accounts')
      .selectAll()
      .where('channel', '=', input.channel)
      .where('external_id', '=', input.externalId)
      .executeTakeFirst();
    const id = existing?.id ?? newId();
    const row: ChannelAccountRow = {
      id,
      channel: input.channel,
      external_id: input.externalId,
      name: input.name,
      display_phone_number: input.displayPhoneNumber ?? null,
      waba_id: input.wabaId ?? null,
      access_token: input.accessToken,
      app_secret: input.appSecret,
      verify_token: input.verifyToken,
      throughput_per_second: input.throughputPerSecond ?? 80,
      human_agent_enabled: input.humanAgentEnabled === true ? 1 : 0,
      created_at: existing?.created_at ?? Date.now(),
      seq: await changes.nextSeq('channelAccount', id),
    };
    if (existing === undefined) await trx.insertInto('channel_accounts').values(row).execute();
    else await trx.updateTable('channel_accounts').set(row).where('id', '=', id).execute();
    return row;
  });
}

export async function findChannelAccount(
  store: Store,
  channel: Channel,
  externalId: string,
): Promise<ChannelAccountRow | undefined> {
  return store.db
    .selectFrom('channel_accounts')
    .selectAll()
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

export async function listChannelAccounts(store: Store, channel?: Channel): Promise<ChannelAccountRow[]> {
  let query = store.db.selectFrom('channel_accounts').selectAll();
  if (channel !== undefined) query = query.where('channel', '=', channel);
  return query.orderBy('created_at').execute();
}
