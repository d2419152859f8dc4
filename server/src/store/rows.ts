import type { Selectable } from 'kysely';
import {
  AgentRoleSchema,
  ChannelSchema,
  ConversationStatusSchema,
  MessageDirectionSchema,
  MessageKindSchema,
  MessageStatusSchema,
  PresenceSchema,
  type Agent,
  type Contact,
  type ContactIdentity,
  type Conversation,
  type Message,
} from '@parley/protocol';
import { z } from 'zod';
import type { Database } from './schema.js';

/** Row → protocol entity. Parsing the enums here means a bad row fails loudly, once, on the server. */

const LabelsSchema = z.array(z.string());

export function agentFromRow(row: Selectable<Database['agents']>): Agent {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: AgentRoleSchema.parse(row.role),
    presence: PresenceSchema.parse(row.presence),
    seq: Number(row.seq),
  };
}

export function contactFromRow(
  row: Selectable<Database['contacts']>,
  identities: readonly Selectable<Database['contact_identities']>[],
): Contact {
  return {
    id: row.id,
    name: row.name,
    avatarUrl: row.avatar_url,
    phone: row.phone,
    identities: identities.map((identity): ContactIdentity => ({
      channel: ChannelSchema.parse(identity.channel),
      externalId: identity.external_id,
    })),
    createdAt: Number(row.created_at),
    seq: Number(row.seq),
  };
}

export function conversationFromRow(row: Selectable<Database['conversations']>): Conversation {
  return {
    id: row.id,
    channel: ChannelSchema.parse(row.channel),
    channelAccountId: row.channel_account_id,
    contactId: row.contact_id,
    status: ConversationStatusSchema.parse(row.status),
    assigneeId: row.assignee_id,
    teamId: row.team_id,
    labels: LabelsSchema.parse(JSON.parse(row.labels)),
    lastMessageAt: Number(row.last_message_at),
    lastMessagePreview: row.last_message_preview,
    lastInboundAt: row.last_inbound_at === null ? null : Number(row.last_inbound_at),
    unreadCount: Number(row.unread_count),
    createdAt: Number(row.created_at),
    seq: Number(row.seq),
  };
}

export function messageFromRow(row: Omit<Selectable<Database['messages']>, 'raw'>): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    clientId: row.client_id,
    externalId: row.external_id,
    direction: MessageDirectionSchema.parse(row.direction),
    kind: MessageKindSchema.parse(row.kind),
    text: row.text,
    authorAgentId: row.author_agent_id,
    status: MessageStatusSchema.parse(row.status),
    createdAt: Number(row.created_at),
    seq: Number(row.seq),
  };
}
