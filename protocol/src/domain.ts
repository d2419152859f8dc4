import { z } from 'zod';

/** Milliseconds since the Unix epoch. Every time in the protocol uses this unit. */
export const TimestampSchema = z.number().int().nonnegative();

export const ChannelSchema = z.enum(['whatsapp', 'messenger', 'instagram']);
export type Channel = z.infer<typeof ChannelSchema>;

export const AgentRoleSchema = z.enum(['agent', 'supervisor', 'admin']);
export type AgentRole = z.infer<typeof AgentRoleSchema>;

export const PresenceSchema = z.enum(['online', 'away', 'offline']);
export type Presence = z.infer<typeof PresenceSchema>;

/** A person who signs in, or an integration (a CRM, a bot) acting through an API token. */
export const AgentKindSchema = z.enum(['person', 'integration']);
export type AgentKind = z.infer<typeof AgentKindSchema>;

export const AgentSchema = z.object({
  id: z.string().min(1),
  email: z.string().min(3),
  name: z.string().min(1),
  role: AgentRoleSchema,
  kind: AgentKindSchema,
  presence: PresenceSchema,
  /** When the presence last changed; null if it never has. */
  presenceAt: TimestampSchema.nullable(),
  /** False once an admin deactivates the account: it cannot sign in, and its history stays. */
  active: z.boolean(),
  /** The most open conversations this agent holds at once; auto-assignment never exceeds it. */
  capacity: z.number().int().min(0).max(1000),
  /** The teams this agent belongs to. */
  teamIds: z.array(z.string()),
  seq: z.number().int().nonnegative(),
});
export type Agent = z.infer<typeof AgentSchema>;

/**
 * A rule that sends a new conversation to a team by its first message: a keyword in it,
 * or the language it is written in (ISO 639-1, as detected by the server).
 */
export const RoutingRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('keyword'), keyword: z.string().trim().min(1).max(100) }),
  z.object({ kind: z.literal('language'), language: z.string().regex(/^[a-z]{2}$/) }),
]);
export type RoutingRule = z.infer<typeof RoutingRuleSchema>;

/** A team: its members (Agent.teamIds), the inboxes (channel accounts) it is given, and its rules. */
export const TeamSchema = z.object({
  id: z.string().min(1),
  name: z.string().trim().min(1).max(80),
  /** The inboxes this team answers: new conversations in them go to this team. */
  channelAccountIds: z.array(z.string()),
  /** New and reopened conversations go to the least-loaded Online member with room. */
  autoAssign: z.boolean(),
  /** Minutes an assignee may stay Offline before their open conversations go back to the queue. */
  offlineGraceMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60),
  /** Service targets: the first reply, and any customer's wait for an answer, in seconds. */
  firstResponseTargetSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600),
  waitingTargetSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600),
  /** Rules that bring a conversation of any inbox to this team by its first message. */
  rules: z.array(RoutingRuleSchema).max(50),
  seq: z.number().int().nonnegative(),
});
export type Team = z.infer<typeof TeamSchema>;

/**
 * One identity of a customer on one platform: a WhatsApp `wa_id` (phone) or business-scoped
 * user id (BSUID), a Messenger PSID or an Instagram IGSID.
 */
export const IdentityKindSchema = z.enum(['wa_id', 'bsuid', 'psid', 'igsid']);
export type IdentityKind = z.infer<typeof IdentityKindSchema>;

export const ContactIdentitySchema = z.object({
  channel: ChannelSchema,
  kind: IdentityKindSchema,
  externalId: z.string().min(1),
});
export type ContactIdentity = z.infer<typeof ContactIdentitySchema>;

export const ContactSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  /** The server's copy of the customer's picture (`/api/media/<id>`), or null. */
  avatarMediaId: z.string().nullable(),
  phone: z.string().nullable(),
  identities: z.array(ContactIdentitySchema),
  /** Set when this contact was merged into another: clients show that one instead. */
  mergedInto: z.string().nullable(),
  /** Other contacts that look like the same person (the same phone number): merge candidates. */
  possibleDuplicates: z.array(z.string()),
  /** What agents wrote about this customer, for each other; never shown to the customer. */
  note: z.string(),
  createdAt: TimestampSchema,
  seq: z.number().int().nonnegative(),
});
export type Contact = z.infer<typeof ContactSchema>;

/** `snoozed`: set aside until `snoozedUntil`, or until the customer writes, whichever comes first. */
export const ConversationStatusSchema = z.enum(['open', 'pending', 'snoozed', 'resolved']);
export type ConversationStatus = z.infer<typeof ConversationStatusSchema>;

export const MessageDirectionSchema = z.enum(['inbound', 'outbound']);
export type MessageDirection = z.infer<typeof MessageDirectionSchema>;

/**
 * What a message is. A platform type Parley cannot show is kept as `unsupported` (with
 * the platform's raw payload on the server) rather than dropped.
 */
export const MessageKindSchema = z.enum([
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'template',
  'story_mention',
  'share',
  'system',
  'order',
  'note',
  /** Something that happened to the conversation (an assignment, a status change): `activity` says what. */
  'activity',
  'unsupported',
]);
export type MessageKind = z.infer<typeof MessageKindSchema>;

/**
 * What the inbox shows of a conversation's last message, as data: the renderer words it in
 * the agent's language ("📷 Photo", "🎤 Voice message", a file's name…).
 */
export const MessagePreviewSchema = z.object({
  kind: MessageKindSchema,
  direction: MessageDirectionSchema,
  /** The text or caption, on one line and cut to 140 characters; null when there is none. */
  text: z.string().nullable(),
  /** What names the content when the text does not: a file's name, a place, a shared contact. */
  name: z.string().nullable(),
  /** An audio message recorded as a voice note. */
  voice: z.boolean(),
  /** How many attachments or shared contacts the message carries. */
  count: z.number().int().nonnegative(),
  /** The message was deleted (by the customer, on the platform). */
  deleted: z.boolean().optional(),
});
export type MessagePreview = z.infer<typeof MessagePreviewSchema>;

export const ConversationSchema = z.object({
  id: z.string().min(1),
  channel: ChannelSchema,
  /** The business side of the thread: the id of a ChannelAccount. */
  channelAccountId: z.string().min(1),
  contactId: z.string().min(1),
  status: ConversationStatusSchema,
  assigneeId: z.string().nullable(),
  teamId: z.string().nullable(),
  labels: z.array(z.string()),
  lastMessageAt: TimestampSchema,
  /** The last message, as data the renderer words; null for a conversation left with none (after a merge). */
  preview: MessagePreviewSchema.nullable(),
  /** When the customer last wrote; the messaging windows are measured from here. */
  lastInboundAt: TimestampSchema.nullable(),
  /**
   * The messaging window, as the server enforces it: free-form replies until
   * `windowOpenUntil`; after that, on Messenger and Instagram, replies tagged HUMAN_AGENT
   * until `humanAgentUntil`; after that, nothing but (on WhatsApp) a template.
   */
  windowOpenUntil: TimestampSchema.nullable(),
  humanAgentUntil: TimestampSchema.nullable(),
  unreadCount: z.number().int().nonnegative(),
  /** Since when the customer waits for an answer; null when the last word is the business's. */
  waitingSince: TimestampSchema.nullable(),
  /** When an agent first answered; null until then. */
  firstResponseAt: TimestampSchema.nullable(),
  /** When it was last resolved; null when it never was. */
  resolvedAt: TimestampSchema.nullable(),
  /** When it was last assigned to someone; null when it is in the queue. */
  assignedAt: TimestampSchema.nullable(),
  /** While snoozed: when it comes back as open. Null otherwise. */
  snoozedUntil: TimestampSchema.nullable(),
  createdAt: TimestampSchema,
  seq: z.number().int().nonnegative(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const MessageStatusSchema = z.enum(['received', 'pending', 'sent', 'delivered', 'read', 'failed']);
export type MessageStatus = z.infer<typeof MessageStatusSchema>;

export const AttachmentKindSchema = z.enum(['image', 'audio', 'video', 'document', 'sticker', 'file']);
export type AttachmentKind = z.infer<typeof AttachmentKindSchema>;

/** A file in a message. Its bytes are served by the Parley server at `/api/media/<mediaId>`. */
export const AttachmentSchema = z.object({
  mediaId: z.string().min(1),
  kind: AttachmentKindSchema,
  mimeType: z.string().nullable(),
  fileName: z.string().nullable(),
  size: z.number().int().nonnegative().nullable(),
  /** `pending` while the server copies it from the platform; `expired` when the platform no longer has it. */
  status: z.enum(['pending', 'ready', 'failed', 'expired']),
  hasThumbnail: z.boolean(),
  /** A WhatsApp push-to-talk voice note. */
  voice: z.boolean(),
  animated: z.boolean(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const LocationSchema = z.object({
  latitude: z.number(),
  longitude: z.number(),
  name: z.string().nullable(),
  address: z.string().nullable(),
  url: z.string().nullable(),
});
export type Location = z.infer<typeof LocationSchema>;

/** A contact card a customer shared (not the customer). */
export const SharedContactSchema = z.object({
  name: z.string(),
  phones: z.array(z.object({ phone: z.string(), waId: z.string().nullable(), type: z.string().nullable() })),
  emails: z.array(z.string()),
  organization: z.string().nullable(),
});
export type SharedContact = z.infer<typeof SharedContactSchema>;

/** The message this one quotes or answers. */
export const ReplyRefSchema = z.object({
  /** The platform id of the quoted message. */
  externalId: z.string().nullable(),
  /** Our id for it, when we have it. */
  messageId: z.string().nullable(),
  /** An Instagram story the customer replied to. */
  storyUrl: z.string().nullable(),
});
export type ReplyRef = z.infer<typeof ReplyRefSchema>;

/** A tap on a button or list row, a quick reply or a postback. */
export const InteractiveReplySchema = z.object({
  type: z.enum(['button_reply', 'list_reply', 'template_button', 'quick_reply', 'postback', 'flow_reply']),
  id: z.string().nullable(),
  title: z.string(),
  description: z.string().nullable(),
});
export type InteractiveReply = z.infer<typeof InteractiveReplySchema>;

export const ReactionSchema = z.object({
  emoji: z.string().min(1),
  from: z.enum(['customer', 'agent']),
  agentId: z.string().nullable(),
  at: TimestampSchema,
});
export type Reaction = z.infer<typeof ReactionSchema>;

export const MessageErrorSchema = z.object({
  /** The platform's code (e.g. WhatsApp 131047) or one of ours. */
  code: z.string(),
  /**
   * Why, as the renderer words it; every reason carries params.channel:
   * - 'platform_refused': the platform's code is in `code` (params.subcode, and for WhatsApp
   *   statuses params.details: Meta's own title and details, or null);
   * - 'malformed_by_platform': params.details, Meta's own details text or null;
   * - 'permission_missing': the account's token lacks a permission;
   * - 'attempts_exhausted': params.attempts, params.lastCode (the platform's last code);
   * - 'unknown_delivery': params.cause, 'connection_lost' | 'server_restarted' | 'timeout';
   * - 'window_template_only', 'window_closed_until_customer_writes', 'human_agent_tag_required':
   *   the platform said the messaging window had closed (params.byPlatform true);
   * - a file's refusal reason ('media_missing', 'media_too_large', 'media_unreadable', … as in
   *   FailureReasonSchema, with the same params) when the file could not be sent;
   * - 'send_abandoned': Parley could not send it (its business account was removed).
   * Absent for errors stored before reasons existed; `message` then holds their words.
   */
  reason: z.string().optional(),
  /** Values to word it with: the channel, counts, Meta's own details. */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  /** @deprecated Words stored before the renderer owned them; kept for old messages only. */
  message: z.string(),
});
export type MessageError = z.infer<typeof MessageErrorSchema>;

export const SentTemplateSchema = z.object({
  name: z.string(),
  language: z.string(),
  parameters: z.array(z.string()),
});
export type SentTemplate = z.infer<typeof SentTemplateSchema>;

/** Why a conversation changed hands. */
export const AssignmentReasonSchema = z.enum([
  /** A supervisor (or the assignee) gave it. */
  'manual',
  /** An agent took it from the queue. */
  'take',
  /** Auto-assignment chose the least-loaded Online agent. */
  'auto',
  /** The assignee was Offline longer than the team's grace period. */
  'offline',
  /** The assignee's account was deactivated. */
  'deactivated',
  /** An integration assigned it through the API. */
  'api',
]);
export type AssignmentReason = z.infer<typeof AssignmentReasonSchema>;

/**
 * A line in the thread for something that happened to the conversation, kept as data the
 * renderer words. `byAgentId` is who did it; null when Parley did (auto-assignment).
 */
export const ActivitySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('assignment'),
    byAgentId: z.string().nullable(),
    fromAgentId: z.string().nullable(),
    toAgentId: z.string().nullable(),
    reason: AssignmentReasonSchema,
    /** A note to the new assignee, if the one who assigned wrote one. */
    note: z.string().nullable(),
  }),
  z.object({
    type: z.literal('status'),
    byAgentId: z.string().nullable(),
    from: ConversationStatusSchema,
    to: ConversationStatusSchema,
  }),
  z.object({
    type: z.literal('team'),
    byAgentId: z.string().nullable(),
    fromTeamId: z.string().nullable(),
    toTeamId: z.string().nullable(),
  }),
]);
export type Activity = z.infer<typeof ActivitySchema>;

export const MessageSchema = z.object({
  id: z.string().min(1),
  conversationId: z.string().min(1),
  /** The id the sending client generated; a repeated id is the same mutation. */
  clientId: z.string().nullable(),
  /** The platform's own id (a `wamid`, a Messenger or Instagram `mid`). */
  externalId: z.string().nullable(),
  direction: MessageDirectionSchema,
  kind: MessageKindSchema,
  /** The text, or a media caption, or a system notice. */
  text: z.string().nullable(),
  authorAgentId: z.string().nullable(),
  status: MessageStatusSchema,
  attachments: z.array(AttachmentSchema),
  location: LocationSchema.nullable(),
  sharedContacts: z.array(SharedContactSchema),
  replyTo: ReplyRefSchema.nullable(),
  interactive: InteractiveReplySchema.nullable(),
  reactions: z.array(ReactionSchema),
  forwarded: z.enum(['no', 'forwarded', 'frequently']),
  template: SentTemplateSchema.nullable(),
  /** Sent with the HUMAN_AGENT tag, outside Messenger's or Instagram's 24-hour window. */
  humanAgentTag: z.boolean(),
  error: MessageErrorSchema.nullable(),
  editedAt: TimestampSchema.nullable(),
  /** The customer unsent or deleted it. */
  deletedAt: TimestampSchema.nullable(),
  /** For kind 'activity': what happened. */
  activity: ActivitySchema.nullable().optional(),
  /** For kind 'note': the colleagues it mentions (agent ids); they find it in their Mentions view. */
  mentions: z.array(z.string()),
  createdAt: TimestampSchema,
  seq: z.number().int().nonnegative(),
});
export type Message = z.infer<typeof MessageSchema>;

/** A business account on one platform, as agents see it: never its tokens or secrets. */
export const ChannelAccountSchema = z.object({
  id: z.string().min(1),
  channel: ChannelSchema,
  /** The platform's id: a WhatsApp phone number id, a Page id, an Instagram account id. */
  externalId: z.string().min(1),
  name: z.string(),
  /** The WhatsApp number as customers see it. */
  displayPhoneNumber: z.string().nullable(),
  /** Messenger and Instagram: whether Meta approved HUMAN_AGENT replies up to 7 days. */
  humanAgentEnabled: z.boolean(),
  seq: z.number().int().nonnegative(),
});
export type ChannelAccount = z.infer<typeof ChannelAccountSchema>;

export const TemplateComponentSchema = z.object({
  type: z.enum(['HEADER', 'BODY', 'FOOTER', 'BUTTONS']),
  format: z.string().nullable(),
  text: z.string().nullable(),
  /** How many {{n}} parameters this component takes. */
  parameterCount: z.number().int().nonnegative(),
  buttons: z.array(z.object({ type: z.string(), text: z.string() })),
});
export type TemplateComponent = z.infer<typeof TemplateComponentSchema>;

/** An approved WhatsApp message template, synced from the account's message_templates. */
export const TemplateSchema = z.object({
  id: z.string().min(1),
  channelAccountId: z.string().min(1),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  status: z.string(),
  components: z.array(TemplateComponentSchema),
  seq: z.number().int().nonnegative(),
});
export type Template = z.infer<typeof TemplateSchema>;

/**
 * A reply kept for reuse, typed as `/shortcut` in the composer. `ownerId` null: shared with
 * everyone (kept by supervisors and admins); otherwise one agent's own. The body may hold
 * variables such as {{contact.name}} and {{agent.name}}, filled in when inserted.
 * A deleted one is sent once with `deleted` so that devices drop it.
 */
export const CannedResponseSchema = z.object({
  id: z.string().min(1),
  shortcut: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[\p{L}\p{N}_-]+$/u),
  title: z.string().max(100),
  body: z.string().min(1).max(4096),
  ownerId: z.string().nullable(),
  deleted: z.boolean(),
  updatedAt: TimestampSchema,
  seq: z.number().int().nonnegative(),
});
export type CannedResponse = z.infer<typeof CannedResponseSchema>;

export type MessagingWindowState = 'open' | 'human_agent' | 'closed';

/** The window a conversation is in at `now`; the server decides with the same function. */
export function messagingWindowState(
  conversation: Pick<Conversation, 'windowOpenUntil' | 'humanAgentUntil'>,
  now: number,
): MessagingWindowState {
  if (conversation.windowOpenUntil !== null && now < conversation.windowOpenUntil) return 'open';
  if (conversation.humanAgentUntil !== null && now < conversation.humanAgentUntil) return 'human_agent';
  return 'closed';
}
