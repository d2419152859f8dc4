import { z } from 'zod';

/** Milliseconds since the Unix epoch. Every time in the protocol uses this unit. */
export const TimestampSchema = z.number().int().nonnegative();

export const ChannelSchema = z.enum(['whatsapp', 'messenger', 'instagram']);
export type Channel = z.infer<typeof ChannelSchema>;

export const AgentRoleSchema = z.enum(['agent', 'supervisor', 'admin']);
export type AgentRole = z.infer<typeof AgentRoleSchema>;

export const PresenceSchema = z.enum(['online', 'away', 'offline']);
export type Presence = z.infer<typeof PresenceSchema>;

export const AgentSchema = z.object({
  id: z.string().min(1),
  email: z.string().min(3),
  name: z.string().min(1),
  role: AgentRoleSchema,
  presence: PresenceSchema,
  seq: z.number().int().nonnegative(),
});
export type Agent = z.infer<typeof AgentSchema>;

/** One identity of a customer on one platform: a WhatsApp `wa_id`, a Messenger PSID or an Instagram IGSID. */
export const ContactIdentitySchema = z.object({
  channel: ChannelSchema,
  externalId: z.string().min(1),
});
export type ContactIdentity = z.infer<typeof ContactIdentitySchema>;

export const ContactSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  avatarUrl: z.string().nullable(),
  phone: z.string().nullable(),
  identities: z.array(ContactIdentitySchema),
  createdAt: TimestampSchema,
  seq: z.number().int().nonnegative(),
});
export type Contact = z.infer<typeof ContactSchema>;

export const ConversationStatusSchema = z.enum(['open', 'pending', 'resolved']);
export type ConversationStatus = z.infer<typeof ConversationStatusSchema>;

export const ConversationSchema = z.object({
  id: z.string().min(1),
  channel: ChannelSchema,
  /** The business side of the thread: a WhatsApp phone number id, a Page id or an Instagram account id. */
  channelAccountId: z.string().min(1),
  contactId: z.string().min(1),
  status: ConversationStatusSchema,
  assigneeId: z.string().nullable(),
  teamId: z.string().nullable(),
  labels: z.array(z.string()),
  lastMessageAt: TimestampSchema,
  lastMessagePreview: z.string(),
  /** When the customer last wrote; the messaging windows are measured from here. */
  lastInboundAt: TimestampSchema.nullable(),
  unreadCount: z.number().int().nonnegative(),
  createdAt: TimestampSchema,
  seq: z.number().int().nonnegative(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const MessageDirectionSchema = z.enum(['inbound', 'outbound']);
export type MessageDirection = z.infer<typeof MessageDirectionSchema>;

/**
 * What a message is. A platform type Parley cannot show yet is kept as `unsupported`
 * (with the platform's raw payload on the server) rather than dropped.
 */
export const MessageKindSchema = z.enum(['text', 'note', 'unsupported']);
export type MessageKind = z.infer<typeof MessageKindSchema>;

export const MessageStatusSchema = z.enum(['received', 'pending', 'sent', 'delivered', 'read', 'failed']);
export type MessageStatus = z.infer<typeof MessageStatusSchema>;

export const MessageSchema = z.object({
  id: z.string().min(1),
  conversationId: z.string().min(1),
  /** The id the sending client generated; a repeated id is the same mutation. */
  clientId: z.string().nullable(),
  /** The platform's own id (a `wamid`, a Messenger or Instagram `mid`). */
  externalId: z.string().nullable(),
  direction: MessageDirectionSchema,
  kind: MessageKindSchema,
  text: z.string().nullable(),
  authorAgentId: z.string().nullable(),
  status: MessageStatusSchema,
  createdAt: TimestampSchema,
  seq: z.number().int().nonnegative(),
});
export type Message = z.infer<typeof MessageSchema>;
