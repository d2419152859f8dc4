/**
 * Reading stored changes back as the protocol's entities: the rows a batch names, where
 * their conversations sit (for who may see them), and what an agent newly given a
 * conversation receives with it. Used by the store for live batches and by sync's pulls.
 */
import { sql } from 'kysely';
import type { Agent, Change, ChangeEntity } from '@parley/protocol';
import type { Db } from './database.js';
import {
  MESSAGE_COLUMNS,
  AGENT_COLUMNS,
  agentFromRow,
  cannedResponseFromRow,
  channelAccountFromRow,
  contactFromRow,
  conversationFromRow,
  messageFromRow,
  teamFromRow,
  templateFromRow,
} from './rows.js';
import type { Placement, Trx } from './store.js';

/** How many of its newest messages a conversation that comes into sight brings along. */
export const GRANT_MESSAGES = 50;

type Reader = Db | Trx;

/** Where the conversations of these changes (and of their messages) sit, in one query. */
export async function loadPlacements(db: Reader, changes: readonly Change[]): Promise<Map<string, Placement>> {
  const placements = new Map<string, Placement>();
  const wanted = new Set<string>();
  for (const change of changes) {
    if (change.entity === 'conversation') {
      placements.set(change.data.id, { teamId: change.data.teamId, assigneeId: change.data.assigneeId });
    } else if (change.entity === 'message') {
      wanted.add(change.data.conversationId);
    }
  }
  const missing = [...wanted].filter((id) => !placements.has(id));
  if (missing.length === 0) return placements;
  const rows = await db
    .selectFrom('conversations')
    .select(['id', 'team_id', 'assignee_id'])
    .where('id', 'in', missing)
    .execute();
  for (const row of rows) placements.set(row.id, { teamId: row.team_id, assigneeId: row.assignee_id });
  return placements;
}

/** For each contact among the changes, where its conversations sit (a merged contact: its target's). */
export async function loadContactPlacements(db: Reader, changes: readonly Change[]): Promise<Map<string, Placement[]>> {
  const owners = new Map<string, string[]>();
  for (const change of changes) {
    if (change.entity !== 'contact') continue;
    for (const id of [change.data.id, change.data.mergedInto]) {
      if (id === null) continue;
      const list = owners.get(id) ?? [];
      list.push(change.data.id);
      owners.set(id, list);
    }
  }
  const result = new Map<string, Placement[]>();
  if (owners.size === 0) return result;
  const rows = await db
    .selectFrom('conversations')
    .select(['contact_id', 'team_id', 'assignee_id'])
    .where('contact_id', 'in', [...owners.keys()])
    .execute();
  for (const row of rows) {
    for (const contactId of owners.get(row.contact_id) ?? []) {
      const list = result.get(contactId) ?? [];
      list.push({ teamId: row.team_id, assigneeId: row.assignee_id });
      result.set(contactId, list);
    }
  }
  return result;
}

/**
 * What a user who starts seeing these conversations needs to show them: each conversation,
 * its contact and its `messages` newest messages, keyed by conversation.
 */
export async function loadGrants(
  db: Reader,
  conversationIds: readonly string[],
  messages: number = GRANT_MESSAGES,
): Promise<Map<string, Change[]>> {
  const grants = new Map<string, Change[]>();
  if (conversationIds.length === 0) return grants;
  const conversations = await db
    .selectFrom('conversations')
    .select(['id', 'contact_id'])
    .where('id', 'in', [...conversationIds])
    .execute();
  if (conversations.length === 0) return grants;
  // The newest `messages` of each, read once per conversation through the thread index.
  const ids = conversations.map((row) => row.id);
  const messageRows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('messages')
        .select([
          'id',
          sql<number>`row_number() over (partition by conversation_id order by created_at desc, id desc)`.as('rank'),
        ])
        .where('conversation_id', 'in', ids)
        .as('ranked'),
    )
    .select('ranked.id')
    .where('ranked.rank', '<=', messages)
    .execute();
  const loaded = await loadChanges(db, [
    ...conversations.map((row) => ({ entity: 'conversation' as const, id: row.id })),
    ...[...new Set(conversations.map((row) => row.contact_id))].map((id) => ({ entity: 'contact' as const, id })),
    ...messageRows.map((row) => ({ entity: 'message' as const, id: row.id })),
  ]);
  for (const row of conversations) grants.set(row.id, []);
  const conversationsOf = groupBy(conversations, (row) => row.contact_id);
  for (const change of loaded) {
    if (change.entity === 'conversation') grants.get(change.data.id)?.push(change);
    else if (change.entity === 'message') grants.get(change.data.conversationId)?.push(change);
    else if (change.entity === 'contact') {
      for (const row of conversationsOf.get(change.data.id) ?? []) grants.get(row.id)?.push(change);
    }
  }
  return grants;
}

/**
 * Agents as last read, by id. Every change to what an Agent holds (presence, role, teams,
 * state) stamps its row with a new seq, so the Agent read at a seq is the Agent at that
 * seq: a pull that asks for an agent at a seq already read takes it from here. After a
 * restart every agent's presence changes, and every user's pull asks for every agent.
 */
export class AgentCache {
  private readonly byId = new Map<string, Agent>();

  get(id: string, seq: number): Agent | undefined {
    const agent = this.byId.get(id);
    return agent?.seq === seq ? agent : undefined;
  }

  /** Keeps the newest read of each agent. */
  keep(agent: Agent): void {
    const known = this.byId.get(agent.id);
    if (known === undefined || known.seq <= agent.seq) this.byId.set(agent.id, agent);
  }
}

/**
 * Reads the current state of the referenced entities, as changes in `seq` order. With a
 * cache, an agent referenced at the seq it was last read at is not read again.
 */
export async function loadChanges(
  db: Reader,
  refs: readonly { entity: ChangeEntity; id: string; seq?: number }[],
  agentCache?: AgentCache,
): Promise<Change[]> {
  const ids = (entity: ChangeEntity): string[] => refs.filter((r) => r.entity === entity).map((r) => r.id);
  const changes: Change[] = [];
  const agentIds: string[] = [];
  for (const ref of refs) {
    if (ref.entity !== 'agent') continue;
    const known = ref.seq === undefined ? undefined : agentCache?.get(ref.id, ref.seq);
    if (known === undefined) agentIds.push(ref.id);
    else changes.push({ entity: 'agent', data: known });
  }
  if (agentIds.length > 0) {
    const [rows, memberships] = await Promise.all([
      db.selectFrom('agents').select(AGENT_COLUMNS).where('id', 'in', agentIds).execute(),
      db.selectFrom('team_members').selectAll().where('agent_id', 'in', agentIds).execute(),
    ]);
    const teamsOf = groupBy(memberships, (member) => member.agent_id);
    for (const row of rows) {
      const teamIds = (teamsOf.get(row.id) ?? []).map((member) => member.team_id);
      const agent = agentFromRow(row, teamIds);
      agentCache?.keep(agent);
      changes.push({ entity: 'agent', data: agent });
    }
  }
  const accountIds = ids('channelAccount');
  if (accountIds.length > 0) {
    const rows = await db.selectFrom('channel_accounts').selectAll().where('id', 'in', accountIds).execute();
    for (const row of rows) changes.push({ entity: 'channelAccount', data: channelAccountFromRow(row) });
  }
  const contactIds = ids('contact');
  if (contactIds.length > 0) {
    const [rows, identities] = await Promise.all([
      db.selectFrom('contacts').selectAll().where('id', 'in', contactIds).execute(),
      db.selectFrom('contact_identities').selectAll().where('contact_id', 'in', contactIds).execute(),
    ]);
    const phones = [...new Set(rows.map((row) => row.phone).filter((phone): phone is string => phone !== null))];
    // Contacts that share a phone number are probably one person: suggest merging them.
    const samePhone =
      phones.length === 0
        ? []
        : await db
            .selectFrom('contacts')
            .select(['id', 'phone'])
            .where('phone', 'in', phones)
            .where('merged_into', 'is', null)
            .execute();
    const identitiesOf = groupBy(identities, (identity) => identity.contact_id);
    const byPhone = groupBy(samePhone, (other) => other.phone ?? '');
    for (const row of rows) {
      const own = identitiesOf.get(row.id) ?? [];
      const duplicates =
        row.phone === null || row.merged_into !== null
          ? []
          : (byPhone.get(row.phone) ?? []).filter((other) => other.id !== row.id).map((other) => other.id);
      changes.push({ entity: 'contact', data: contactFromRow(row, own, duplicates) });
    }
  }
  const conversationIds = ids('conversation');
  if (conversationIds.length > 0) {
    const rows = await db.selectFrom('conversations').selectAll().where('id', 'in', conversationIds).execute();
    for (const row of rows) changes.push({ entity: 'conversation', data: conversationFromRow(row) });
  }
  const messageIds = ids('message');
  if (messageIds.length > 0) {
    const rows = await db.selectFrom('messages').select(MESSAGE_COLUMNS).where('id', 'in', messageIds).execute();
    for (const row of rows) changes.push({ entity: 'message', data: messageFromRow(row) });
  }
  const teamIds = ids('team');
  if (teamIds.length > 0) {
    const [rows, inboxes] = await Promise.all([
      db.selectFrom('teams').selectAll().where('id', 'in', teamIds).execute(),
      db.selectFrom('team_inboxes').selectAll().where('team_id', 'in', teamIds).execute(),
    ]);
    const inboxesOf = groupBy(inboxes, (inbox) => inbox.team_id);
    for (const row of rows) {
      const accounts = (inboxesOf.get(row.id) ?? []).map((inbox) => inbox.channel_account_id);
      changes.push({ entity: 'team', data: teamFromRow(row, accounts) });
    }
  }
  const templateIds = ids('template');
  if (templateIds.length > 0) {
    const rows = await db.selectFrom('templates').selectAll().where('id', 'in', templateIds).execute();
    for (const row of rows) changes.push({ entity: 'template', data: templateFromRow(row) });
  }
  const cannedIds = ids('cannedResponse');
  if (cannedIds.length > 0) {
    const rows = await db.selectFrom('canned_responses').selectAll().where('id', 'in', cannedIds).execute();
    for (const row of rows) changes.push({ entity: 'cannedResponse', data: cannedResponseFromRow(row) });
  }
  return changes.sort((a, b) => a.data.seq - b.data.seq);
}

/**
 * Rows by a key, in their order: a page can hold a thousand entities, and matching each to
 * its related rows by scanning them all would cost a million comparisons.
 */
function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group === undefined) groups.set(key(row), [row]);
    else group.push(row);
  }
  return groups;
}
