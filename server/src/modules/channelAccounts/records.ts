import type { Channel } from '@parley/protocol';
import type { Selectable } from 'kysely';
import { newId } from '../../platform/ids.js';
import type { Database } from '../../platform/schema.js';
import type { Store } from '../../platform/store.js';
import { giveInboxToDefaultTeam } from '../teams/index.js';

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

/** The account's row for this input, all but its seq. */
export function accountColumns(
  id: string,
  input: ChannelAccountInput,
  createdAt: number,
): Omit<ChannelAccountRow, 'seq'> {
  return {
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
    created_at: createdAt,
  };
}

/** Creates the account, or updates the one with the same channel and platform id. */
export async function upsertChannelAccount(store: Store, input: ChannelAccountInput): Promise<ChannelAccountRow> {
  return store
    .write(async (trx, changes) => {
      const existing = await trx
        .selectFrom('channel_accounts')
        .selectAll()
        .where('channel', '=', input.channel)
        .where('external_id', '=', input.externalId)
        .executeTakeFirst();
      const id = existing?.id ?? newId();
      const fields = accountColumns(id, input, existing?.created_at ?? Date.now());
      // Loading the same channels file at every start must not make every client re-pull
      // every account: an unchanged account keeps its seq (and stays out of the live batch).
      if (existing !== undefined && sameAccount(existing, fields)) return existing;
      const row: ChannelAccountRow = { ...fields, seq: await changes.nextSeq('channelAccount', id) };
      if (existing === undefined) {
        await trx.insertInto('channel_accounts').values(row).execute();
        await giveInboxToDefaultTeam(trx, changes, id);
      } else await trx.updateTable('channel_accounts').set(row).where('id', '=', id).execute();
      return row;
    })
    .finally(() => forgetChannelAccounts(store));
}

function sameAccount(existing: ChannelAccountRow, next: Omit<ChannelAccountRow, 'seq'>): boolean {
  return (Object.keys(next) as (keyof typeof next)[]).every((key) =>
    // SQLite hands integers back as numbers and text as strings; compare like for like.
    typeof next[key] === 'number' ? Number(existing[key]) === next[key] : existing[key] === next[key],
  );
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

/**
 * How long the webhooks' copy of a channel's accounts serves without reading them again.
 * Every webhook needs them (the secrets that may have signed it, the account of each
 * event); reading and opening them for each one was a good part of a busy node's time.
 */
export const WEBHOOK_ACCOUNTS_MAX_AGE_MS = 1_000;

type CachedAccounts = { rows: Promise<ChannelAccountRow[]>; readAt: number };
const webhookAccounts = new WeakMap<Store, Map<Channel, CachedAccounts>>();

/**
 * The channel's accounts, as read at most WEBHOOK_ACCOUNTS_MAX_AGE_MS ago (one read for all
 * the webhooks asking meanwhile), or read now with `fresh`. This node's changes to accounts
 * clear the copy at once (forgetChannelAccounts); another node's show within the age, and
 * sooner where it matters: a webhook that the copy cannot place (a signature no secret
 * matches, an account it lacks) reads them again before refusing anything.
 */
export function channelAccountsForWebhooks(
  store: Store,
  channel: Channel,
  options: { fresh?: boolean } = {},
): Promise<ChannelAccountRow[]> {
  let byChannel = webhookAccounts.get(store);
  if (byChannel === undefined) {
    byChannel = new Map();
    webhookAccounts.set(store, byChannel);
  }
  const now = performance.now();
  const cached = byChannel.get(channel);
  if (options.fresh !== true && cached !== undefined && now - cached.readAt < WEBHOOK_ACCOUNTS_MAX_AGE_MS) {
    return cached.rows;
  }
  const entry: CachedAccounts = { rows: listChannelAccounts(store, channel), readAt: now };
  byChannel.set(channel, entry);
  // A failed read is not kept: the next webhook reads again.
  entry.rows.catch(() => {
    if (byChannel.get(channel) === entry) byChannel.delete(channel);
  });
  return entry.rows;
}

/** Drops the webhooks' copy of the accounts, after a change to them. */
export function forgetChannelAccounts(store: Store): void {
  webhookAccounts.delete(store);
}
