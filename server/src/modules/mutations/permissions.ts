import { refusal, type Failure, type Mutation } from '@parley/protocol';
import type { Trx } from '../../platform/store.js';

/**
 * Who may make which change: one function per mutation type, each reading what it needs
 * inside the mutation's transaction. A refusal is recorded like any answer. A missing
 * conversation or message is not a permission matter: the command itself says so.
 */

type Of<T extends Mutation['type']> = Extract<Mutation, { type: T }>;

type Agent = { id: string; role: string };

function supervises(agent: Agent): boolean {
  return agent.role === 'supervisor' || agent.role === 'admin';
}

async function agentOf(trx: Trx, agentId: string): Promise<Agent | undefined> {
  return trx.selectFrom('agents').select(['id', 'role']).where('id', '=', agentId).executeTakeFirst();
}

/**
 * An agent works on unassigned conversations and their own; a supervisor on any. The
 * refusal names who has the conversation (params.assigneeName, null if they are gone).
 */
async function mayWorkOn(trx: Trx, agentId: string, conversationId: string): Promise<Failure | null> {
  const conversation = await trx
    .selectFrom('conversations')
    .select('assignee_id')
    .where('id', '=', conversationId)
    .executeTakeFirst();
  if (conversation === undefined) return null;
  const agent = await agentOf(trx, agentId);
  if (agent === undefined) return refusal('unauthorized', 'agent_missing');
  if (supervises(agent) || conversation.assignee_id === null || conversation.assignee_id === agentId) return null;
  const owner = await trx
    .selectFrom('agents')
    .select('name')
    .where('id', '=', conversation.assignee_id)
    .executeTakeFirst();
  return refusal('forbidden', 'not_assignee', { assigneeName: owner?.name ?? null });
}

export async function mayWriteNote(trx: Trx, agentId: string, mutation: Of<'message.note'>): Promise<Failure | null> {
  return mayWorkOn(trx, agentId, mutation.conversationId);
}

/** Besides working on the conversation: only a supervisor gives it to someone else. */
export async function mayAssign(
  trx: Trx,
  agentId: string,
  mutation: Of<'conversation.assign'>,
): Promise<Failure | null> {
  const refused = await mayWorkOn(trx, agentId, mutation.conversationId);
  if (refused !== null) return refused;
  if (mutation.assigneeId === null || mutation.assigneeId === agentId) return null;
  const agent = await agentOf(trx, agentId);
  if (agent === undefined) return refusal('unauthorized', 'agent_missing');
  return supervises(agent) ? null : refusal('forbidden', 'supervisor_only');
}

export async function maySetStatus(
  trx: Trx,
  agentId: string,
  mutation: Of<'conversation.setStatus'>,
): Promise<Failure | null> {
  return mayWorkOn(trx, agentId, mutation.conversationId);
}

export async function mayLabel(trx: Trx, agentId: string, mutation: Of<'conversation.label'>): Promise<Failure | null> {
  return mayWorkOn(trx, agentId, mutation.conversationId);
}

/** Any signed-in agent may write to a customer, for now. */
export function maySend(_trx: Trx, _agentId: string, _mutation: Of<'message.send'>): Promise<Failure | null> {
  return Promise.resolve(null);
}

/** Any signed-in agent may react, for now. */
export function mayReact(_trx: Trx, _agentId: string, _mutation: Of<'message.react'>): Promise<Failure | null> {
  return Promise.resolve(null);
}

/** Any signed-in agent may mark a conversation read, for now. */
export function mayMarkRead(
  _trx: Trx,
  _agentId: string,
  _mutation: Of<'conversation.markRead'>,
): Promise<Failure | null> {
  return Promise.resolve(null);
}

/** Any signed-in agent may merge contacts, for now. */
export function mayMerge(_trx: Trx, _agentId: string, _mutation: Of<'contact.merge'>): Promise<Failure | null> {
  return Promise.resolve(null);
}

/** The check for this mutation's type. */
export function permissionFor(trx: Trx, agentId: string, mutation: Mutation): Promise<Failure | null> {
  switch (mutation.type) {
    case 'message.send':
      return maySend(trx, agentId, mutation);
    case 'message.react':
      return mayReact(trx, agentId, mutation);
    case 'conversation.markRead':
      return mayMarkRead(trx, agentId, mutation);
    case 'message.note':
      return mayWriteNote(trx, agentId, mutation);
    case 'conversation.assign':
      return mayAssign(trx, agentId, mutation);
    case 'conversation.setStatus':
      return maySetStatus(trx, agentId, mutation);
    case 'conversation.label':
      return mayLabel(trx, agentId, mutation);
    case 'contact.merge':
      return mayMerge(trx, agentId, mutation);
  }
}
