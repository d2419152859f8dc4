import type { Selectable } from 'kysely';
import {
  MessagePreviewSchema,
  type MessagePreview,
  AgentRoleSchema,
  AgentKindSchema,
  ActivitySchema,
  RoutingRuleSchema,
  type Team,
  AttachmentSchema,
  ChannelSchema,
  ConversationStatusSchema,
  IdentityKindSchema,
  InteractiveReplySchema,
  LocationSchema,
  MessageDirectionSchema,
  MessageErrorSchema,
  MessageKindSchema,
  MessageStatusSchema,
  PresenceSchema,
  ReactionSchema,
  ReplyRefSchema,
  SentTemplateSchema,
  SharedContactSchema,
  TemplateComponentSchema,
  type Agent,
  type CannedResponse,
  type ChannelAccount,
  type Contact,
  type ContactIdentity,
  type Conversation,
  type Message,
  type Template,
} from '@parley/protocol';
import { z } from 'zod';
import type { Database } from './schema.js';

/** Row → protocol entity. Parsing here means a bad row fails loudly, once, on the server. */

const LabelsSchema = z.array(z.string());

function json<T extends z.ZodType>(schema: T, text: string): z.infer<T> {
  return schema.parse(JSON.parse(text));
}

function jsonOrNull<T extends z.ZodType>(schema: T, text: string | null): z.infer<T> | null {
  return text === null ? null : json(schema, text);
}

const nullableNumber = (value: number | null): number | null => (value === null ? null : Number(value));

/** The columns of an agent's row that make its Agent (never its password hash). */
export const AGENT_COLUMNS = [
  'id',
  'email',
  'name',
  'role',
  'kind',
  'presence',
  'presence_at',
  'active',
  'capacity',
  'seq',
] as const satisfies readonly (keyof Database['agents'])[];

/** An agent row and the teams it belongs to (team_members). */
export function agentFromRow(
  row: Pick<Selectable<Database['agents']>, (typeof AGENT_COLUMNS)[number]>,
  teamIds: readonly string[],
): Agent {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: AgentRoleSchema.parse(row.role),
    kind: AgentKindSchema.parse(row.kind),
    presence: PresenceSchema.parse(row.presence),
    presenceAt: nullableNumber(row.presence_at),
    active: Number(row.active) === 1,
    capacity: Number(row.capacity),
    teamIds: [...teamIds].sort(),
    seq: Number(row.seq),
  };
}

/** A team row, its inboxes (team_inboxes) and its routing rules. */
export function teamFromRow(row: Selectable<Database['teams']>, channelAccountIds: readonly string[]): Team {
  return {
    id: row.id,
    name: row.name,
    channelAccountIds: [...channelAccountIds].sort(),
    autoAssign: Number(row.auto_assign) === 1,
    offlineGraceMinutes: Number(row.offline_grace_minutes),
    firstResponseTargetSeconds: Number(row.first_response_target_seconds),
    waitingTargetSeconds: Number(row.waiting_target_seconds),
    rules: json(z.array(RoutingRuleSchema), row.rules),
    seq: Number(row.seq),
  };
}

export function channelAccountFromRow(row: Selectable<Database['channel_accounts']>): ChannelAccount {
  return {
    id: row.id,
    channel: ChannelSchema.parse(row.channel),
    externalId: row.external_id,
    name: row.name,
    displayPhoneNumber: row.display_phone_number,
    humanAgentEnabled: Number(row.human_agent_enabled) === 1,
    seq: Number(row.seq),
  };
}

export function contactFromRow(
  row: Selectable<Database['contacts']>,
  identities: readonly Selectable<Database['contact_identities']>[],
  possibleDuplicates: readonly string[] = [],
): Contact {
  return {
    id: row.id,
    name: row.name,
    avatarMediaId: row.avatar_media_id,
    phone: row.phone,
    identities: identities.map((identity): ContactIdentity => ({
      channel: ChannelSchema.parse(identity.channel),
      kind: IdentityKindSchema.parse(identity.kind),
      externalId: identity.external_id,
    })),
    mergedInto: row.merged_into,
    possibleDuplicates: [...possibleDuplicates],
    note: row.note,
    createdAt: Number(row.created_at),
    seq: Number(row.seq),
  };
}

/** The stored MessagePreview, if the conversation has a last message (and it parses). */
function previewFromColumn(column: string | null): MessagePreview | null {
  if (column === null) return null;
  const parsed = MessagePreviewSchema.safeParse(JSON.parse(column));
  return parsed.success ? parsed.data : null;
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
    labels: json(LabelsSchema, row.labels),
    lastMessageAt: Number(row.last_message_at),
    preview: previewFromColumn(row.preview),
    lastInboundAt: nullableNumber(row.last_inbound_at),
    windowOpenUntil: nullableNumber(row.window_open_until),
    humanAgentUntil: nullableNumber(row.human_agent_until),
    unreadCount: Number(row.unread_count),
    waitingSince: nullableNumber(row.waiting_since),
    firstResponseAt: nullableNumber(row.first_response_at),
    resolvedAt: nullableNumber(row.resolved_at),
    assignedAt: nullableNumber(row.assigned_at),
    snoozedUntil: nullableNumber(row.snoozed_until),
    createdAt: Number(row.created_at),
    seq: Number(row.seq),
  };
}

/** Every message column but the raw platform payload, which never leaves the server. */
export const MESSAGE_COLUMNS = [
  'id',
  'conversation_id',
  'channel',
  'client_id',
  'external_id',
  'direction',
  'kind',
  'text',
  'author_agent_id',
  'status',
  'attachments',
  'location',
  'shared_contacts',
  'reply_to',
  'interactive',
  'reactions',
  'forwarded',
  'template',
  'human_agent_tag',
  'error',
  'edited_at',
  'deleted_at',
  'created_at',
  'received_at',
  'seq',
  'activity',
  'mentions',
] as const;

export type MessageRow = Pick<Selectable<Database['messages']>, (typeof MESSAGE_COLUMNS)[number]>;

export function messageFromRow(row: MessageRow): Message {
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
    attachments: json(z.array(AttachmentSchema), row.attachments),
    location: jsonOrNull(LocationSchema, row.location),
    sharedContacts: json(z.array(SharedContactSchema), row.shared_contacts),
    replyTo: jsonOrNull(ReplyRefSchema, row.reply_to),
    interactive: jsonOrNull(InteractiveReplySchema, row.interactive),
    reactions: json(z.array(ReactionSchema), row.reactions),
    forwarded: z.enum(['no', 'forwarded', 'frequently']).parse(row.forwarded),
    template: jsonOrNull(SentTemplateSchema, row.template),
    humanAgentTag: Number(row.human_agent_tag) === 1,
    error: jsonOrNull(MessageErrorSchema, row.error),
    editedAt: nullableNumber(row.edited_at),
    deletedAt: nullableNumber(row.deleted_at),
    activity: jsonOrNull(ActivitySchema, row.activity),
    mentions: json(z.array(z.string()), row.mentions),
    createdAt: Number(row.created_at),
    seq: Number(row.seq),
  };
}

export function templateFromRow(row: Selectable<Database['templates']>): Template {
  return {
    id: row.id,
    channelAccountId: row.channel_account_id,
    name: row.name,
    language: row.language,
    category: row.category,
    status: row.status,
    components: json(z.array(TemplateComponentSchema), row.components),
    seq: Number(row.seq),
  };
}

export function cannedResponseFromRow(row: Selectable<Database['canned_responses']>): CannedResponse {
  return {
    id: row.id,
    shortcut: row.shortcut,
    title: row.title,
    body: row.body,
    ownerId: row.owner_id,
    deleted: Number(row.deleted) === 1,
    updatedAt: Number(row.updated_at),
    seq: Number(row.seq),
  };
}

/** A whole message row, as written (every column given). */
export type MessageInsert = Omit<Database['messages'], 'mentions'> & { mentions: string };

type MessageIdentity = Pick<
  MessageInsert,
  'id' | 'conversation_id' | 'channel' | 'direction' | 'kind' | 'status' | 'created_at' | 'received_at' | 'seq'
>;

/**
 * A new message row: what every message has, plus the columns a writer sets. The JSON
 * columns default to "nothing" in the shapes rows.ts parses back.
 */
export function newMessageRow(fields: MessageIdentity & Partial<MessageInsert>): MessageInsert {
  return {
    client_id: null,
    external_id: null,
    text: null,
    author_agent_id: null,
    attachments: '[]',
    location: null,
    shared_contacts: '[]',
    reply_to: null,
    interactive: null,
    reactions: '[]',
    forwarded: 'no',
    template: null,
    human_agent_tag: 0,
    error: null,
    edited_at: null,
    deleted_at: null,
    raw: null,
    activity: null,
    mentions: '[]',
    ...fields,
  };
}
