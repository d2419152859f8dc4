import { ChannelSchema, refusal, type Channel, type Failure } from '@parley/protocol';
import { newId } from '../../platform/ids.js';
import { accountColumns, forgetChannelAccounts, type ChannelAccountRow } from './records.js';
import type { Store } from '../../platform/store.js';
import { giveInboxToDefaultTeam } from '../teams/index.js';
import {
  accountInput,
  channelFieldIssues,
  fieldPath,
  type ChannelAccountEntry,
  type ChannelAccountPatch,
} from './schema.js';

/**
 * Channel accounts as the admin API manages them. Tokens and secrets go in, and never come
 * back out in clear: an admin sees their last characters, enough to tell which one is set.
 */
export type AdminChannelAccount = {
  id: string;
  channel: Channel;
  externalId: string;
  name: string;
  displayPhoneNumber: string | null;
  wabaId: string | null;
  throughputPerSecond: number;
  humanAgentEnabled: boolean;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  /** How many conversations the account has: one with any cannot be deleted. */
  conversations: number;
  createdAt: number;
  seq: number;
};

export type AccountResult = { ok: true; account: AdminChannelAccount } | Failure;

/**
 * `…abcd`. Short secrets show nothing at all: four characters of an eight-character token
 * would be half of it.
 */
export function maskSecret(secret: string): string {
  return secret.length >= 16 ? `…${secret.slice(-4)}` : '…';
}

export function adminView(row: ChannelAccountRow, conversations: number): AdminChannelAccount {
  return {
    id: row.id,
    channel: ChannelSchema.parse(row.channel),
    externalId: row.external_id,
    name: row.name,
    displayPhoneNumber: row.display_phone_number,
    wabaId: row.waba_id,
    throughputPerSecond: Number(row.throughput_per_second),
    humanAgentEnabled: Number(row.human_agent_enabled) === 1,
    accessToken: maskSecret(row.access_token),
    appSecret: maskSecret(row.app_secret),
    verifyToken: maskSecret(row.verify_token),
    conversations,
    createdAt: Number(row.created_at),
    seq: Number(row.seq),
  };
}

type Reader = Store['db'];

async function conversationCounts(db: Reader, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('conversations')
    .select(['channel_account_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('channel_account_id', 'in', ids)
    .groupBy('channel_account_id')
    .execute();
  return new Map(rows.map((row) => [row.channel_account_id, Number(row.n)]));
}

export async function listAccountsForAdmin(store: Store): Promise<AdminChannelAccount[]> {
  const rows = await store.db
    .selectFrom('channel_accounts')
    .selectAll()
    .orderBy('channel')
    .orderBy('created_at')
    .execute();
  const counts = await conversationCounts(
    store.db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => adminView(row, counts.get(row.id) ?? 0));
}

export async function accountForAdmin(store: Store, id: string): Promise<AdminChannelAccount | null> {
  const row = await store.db.selectFrom('channel_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) return null;
  const counts = await conversationCounts(store.db, [id]);
  return adminView(row, counts.get(id) ?? 0);
}

function notFound(id: string): Failure {
  return refusal('not_found', 'channel_account_missing', { id });
}

/** Adds an account; an existing (channel, externalId) is a conflict, changed with PATCH instead. */
export async function createChannelAccount(store: Store, entry: ChannelAccountEntry): Promise<AccountResult> {
  const input = accountInput(entry);
  const created = await store.write(async (trx, changes): Promise<ChannelAccountRow | Failure> => {
    const existing = await trx
      .selectFrom('channel_accounts')
      .select('id')
      .where('channel', '=', input.channel)
      .where('external_id', '=', input.externalId)
      .executeTakeFirst();
    if (existing !== undefined) {
      // Changed with PATCH /api/admin/channels/:existingId instead.
      return refusal('conflict', 'channel_account_exists', {
        channel: input.channel,
        externalId: input.externalId,
        existingId: existing.id,
      });
    }
    const id = newId();
    const row: ChannelAccountRow = {
      ...accountColumns(id, input, Date.now()),
      seq: await changes.nextSeq('channelAccount', id),
    };
    await trx.insertInto('channel_accounts').values(row).execute();
    await giveInboxToDefaultTeam(trx, changes, id);
    return row;
  });
  forgetChannelAccounts(store);
  if ('ok' in created) return created;
  return { ok: true, account: adminView(created, 0) };
}

/** Changes some settings of an account; its channel and platform id never change. */
export async function updateChannelAccount(
  store: Store,
  id: string,
  patch: ChannelAccountPatch,
): Promise<AccountResult> {
  const updated = await store.write(async (trx, changes): Promise<ChannelAccountRow | Failure> => {
    const row = await trx.selectFrom('channel_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return notFound(id);
    const channel = ChannelSchema.parse(row.channel);
    const issues = channelFieldIssues(channel, patch);
    if (issues.length > 0) {
      return refusal('bad_request', 'channel_account_invalid', {
        channel,
        fields: [...new Set(issues.map((issue) => fieldPath(issue.path)))].join(', '),
      });
    }
    const next: ChannelAccountRow = {
      ...row,
      name: patch.name ?? row.name,
      display_phone_number:
        patch.displayPhoneNumber === undefined ? row.display_phone_number : patch.displayPhoneNumber,
      waba_id: patch.wabaId === undefined ? row.waba_id : patch.wabaId,
      access_token: patch.accessToken ?? row.access_token,
      app_secret: patch.appSecret ?? row.app_secret,
      verify_token: patch.verifyToken ?? row.verify_token,
      throughput_per_second: patch.throughputPerSecond ?? Number(row.throughput_per_second),
      human_agent_enabled:
        patch.humanAgentEnabled === undefined ? Number(row.human_agent_enabled) : patch.humanAgentEnabled ? 1 : 0,
    };
    const changed = (Object.keys(next) as (keyof ChannelAccountRow)[]).some(
      (key) => String(next[key]) !== String(row[key]),
    );
    // Saving the same settings again is not a change clients need to pull.
    if (!changed) return row;
    next.seq = await changes.nextSeq('channelAccount', id);
    await trx.updateTable('channel_accounts').set(next).where('id', '=', id).execute();
    return next;
  });
  forgetChannelAccounts(store);
  if ('ok' in updated) return updated;
  const counts = await conversationCounts(store.db, [id]);
  return { ok: true, account: adminView(updated, counts.get(id) ?? 0) };
}

/**
 * Deletes an account that never had a conversation. One with conversations is refused:
 * its messages and contacts' threads would lose the account they belong to. Its synced
 * templates go with it: they are a copy of what Meta holds.
 */
export async function deleteChannelAccount(store: Store, id: string): Promise<{ ok: true } | Failure> {
  const deleted = await store.write(async (trx) => {
    const row = await trx
      .selectFrom('channel_accounts')
      .select(['id', 'channel', 'name'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) return notFound(id);
    const counts = await conversationCounts(trx, [id]);
    const conversations = counts.get(id) ?? 0;
    if (conversations > 0) {
      // Deleting it would cut its conversations off; its settings can still be changed with PATCH.
      return refusal('conflict', 'channel_account_in_use', { name: row.name, conversations });
    }
    await trx.deleteFrom('templates').where('channel_account_id', '=', id).execute();
    await trx.deleteFrom('team_inboxes').where('channel_account_id', '=', id).execute();
    await trx.deleteFrom('channel_accounts').where('id', '=', id).execute();
    return { ok: true } as const;
  });
  forgetChannelAccounts(store);
  return deleted;
}
