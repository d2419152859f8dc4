import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import { AgentKindSchema, AgentRoleSchema, type AgentKind, type AgentRole } from '@parley/protocol';
import { jsonArrayHas, textContains } from '../../platform/dialect.js';
import type { Database } from '../../platform/schema.js';
import type { Store, Trx } from '../../platform/store.js';

/**
 * Who sees which conversation. One rule, written twice on purpose and tested against each
 * other: in SQL (`visibleConversation`, for pulls, history, search and checks) and in memory
 * (`sees`, for the fan-out of live batches, where one query per socket would not scale).
 *
 * - an admin sees every conversation;
 * - an agent sees the conversations of their teams, and those assigned to them;
 * - a supervisor sees those of their teams, those assigned to them, and those assigned to
 *   any member of their teams.
 *
 * A deactivated account sees nothing.
 */

export type Principal = { id: string; role: AgentRole; kind: AgentKind; active: boolean };

type Reader = Store['db'] | Trx;

export async function principalOf(db: Reader, agentId: string): Promise<Principal | null> {
  const row = await db
    .selectFrom('agents')
    .select(['id', 'role', 'kind', 'active'])
    .where('id', '=', agentId)
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    id: row.id,
    role: AgentRoleSchema.parse(row.role),
    kind: AgentKindSchema.parse(row.kind),
    active: Number(row.active) === 1,
  };
}

/** The SQL form: a filter on `conversations` (or a table aliased so) for this principal. */
export function visibleConversation(
  principal: Principal,
): (eb: ExpressionBuilder<Database, 'conversations'>) => Expression<SqlBool> {
  return (eb) => {
    if (!principal.active) return sql<SqlBool>`1 = 0`;
    if (principal.role === 'admin') return sql<SqlBool>`1 = 1`;
    const myTeams = eb
      .selectFrom('team_members')
      .select('team_members.team_id')
      .where('team_members.agent_id', '=', principal.id);
    const clauses: Expression<SqlBool>[] = [
      eb('conversations.team_id', 'in', myTeams),
      eb('conversations.assignee_id', '=', principal.id),
    ];
    if (principal.role === 'supervisor') {
      clauses.push(
        eb(
          'conversations.assignee_id',
          'in',
          eb
            .selectFrom('team_members as colleagues')
            .select('colleagues.agent_id')
            .where(
              'colleagues.team_id',
              'in',
              eb.selectFrom('team_members as mine').select('mine.team_id').where('mine.agent_id', '=', principal.id),
            ),
        ),
      );
    }
    return eb.or(clauses);
  };
}

/** Whether this principal sees this conversation; false when it does not exist. */
export async function canSee(db: Reader, principal: Principal, conversationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('conversations')
    .select('conversations.id')
    .where('conversations.id', '=', conversationId)
    .where(visibleConversation(principal))
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Everyone's teams and roles at one moment, for deciding in memory who sees what. Small:
 * one row an agent and one a membership.
 */
export type Scopes = {
  principals: Map<string, Principal>;
  teamsOf: Map<string, Set<string>>;
  membersOf: Map<string, Set<string>>;
};

export async function loadScopes(db: Reader): Promise<Scopes> {
  const [agents, members] = await Promise.all([
    db.selectFrom('agents').select(['id', 'role', 'kind', 'active']).execute(),
    db.selectFrom('team_members').select(['team_id', 'agent_id']).execute(),
  ]);
  const principals = new Map<string, Principal>();
  for (const row of agents) {
    principals.set(row.id, {
      id: row.id,
      role: AgentRoleSchema.parse(row.role),
      kind: AgentKindSchema.parse(row.kind),
      active: Number(row.active) === 1,
    });
  }
  const teamsOf = new Map<string, Set<string>>();
  const membersOf = new Map<string, Set<string>>();
  for (const { team_id: teamId, agent_id: agentId } of members) {
    let teams = teamsOf.get(agentId);
    if (teams === undefined) teamsOf.set(agentId, (teams = new Set()));
    teams.add(teamId);
    let people = membersOf.get(teamId);
    if (people === undefined) membersOf.set(teamId, (people = new Set()));
    people.add(agentId);
  }
  return { principals, teamsOf, membersOf };
}

/** The in-memory form of the rule, for a conversation's team and assignee. */
export function sees(
  scopes: Scopes,
  agentId: string,
  conversation: { teamId: string | null; assigneeId: string | null },
): boolean {
  const principal = scopes.principals.get(agentId);
  if (principal === undefined || !principal.active) return false;
  if (principal.role === 'admin') return true;
  if (conversation.assigneeId === agentId) return true;
  const teams = scopes.teamsOf.get(agentId);
  if (teams === undefined) return false;
  if (conversation.teamId !== null && teams.has(conversation.teamId)) return true;
  if (principal.role === 'supervisor' && conversation.assigneeId !== null) {
    const theirs = scopes.teamsOf.get(conversation.assigneeId);
    if (theirs !== undefined) for (const team of theirs) if (teams.has(team)) return true;
  }
  return false;
}

/**
 * Whether this principal may read a stored file: one attached to a message of a
 * conversation they see, the picture of a contact they see, or one they uploaded.
 */
export async function canSeeMedia(
  db: Reader,
  principal: Principal,
  media: { id: string; source_kind: string; source_ref: string | null; channel_account_id: string | null },
): Promise<boolean> {
  if (!principal.active) return false;
  if (media.source_kind === 'upload' && media.source_ref === principal.id) return true;
  if (principal.role === 'admin') return true;
  // Messages are read only within the conversations this principal sees (on the file's
  // inbox when it has one), through the thread index; the quoted id is checked first,
  // the attachment itself after.
  let conversations = db.selectFrom('conversations').select('conversations.id').where(visibleConversation(principal));
  if (media.channel_account_id !== null) {
    conversations = conversations.where('conversations.channel_account_id', '=', media.channel_account_id);
  }
  const attached = await db
    .selectFrom('messages')
    .select('messages.id')
    .where('messages.conversation_id', 'in', conversations)
    .where(textContains(db, 'messages.attachments', `"${media.id}"`))
    .where(jsonArrayHas(db, 'messages.attachments', 'mediaId', media.id))
    .limit(1)
    .executeTakeFirst();
  if (attached !== undefined) return true;
  const avatar = await db
    .selectFrom('contacts')
    .select('contacts.id')
    .where('contacts.avatar_media_id', '=', media.id)
    .where((eb) =>
      eb.or([
        eb(
          'contacts.id',
          'in',
          eb.selectFrom('conversations').select('conversations.contact_id').where(visibleConversation(principal)),
        ),
        eb(
          'contacts.merged_into',
          'in',
          eb.selectFrom('conversations').select('conversations.contact_id').where(visibleConversation(principal)),
        ),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return avatar !== undefined;
}
