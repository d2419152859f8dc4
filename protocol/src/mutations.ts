import { z } from 'zod';
import { CannedResponseSchema, ConversationStatusSchema, MessageSchema, TimestampSchema } from './domain.js';
import type { Failure } from './errors.js';

/**
 * Everything an agent changes goes through one `mutate` request carrying a
 * client-generated id. The server treats a repeated id as the same mutation and answers
 * with the same result, so a client may resend after any failure without duplicating.
 */
const ClientIdSchema = z.string().min(8).max(64);

export const MessageContentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string().trim().min(1).max(4096) }),
  z.object({
    kind: z.literal('media'),
    /** From POST /api/media. */
    mediaId: z.string().min(1),
    caption: z.string().max(1024).nullable(),
  }),
  z.object({
    kind: z.literal('template'),
    templateId: z.string().min(1),
    /** Values for the template's {{1}}, {{2}}…, in order across its components. */
    parameters: z.array(z.string().max(1024)).max(30),
  }),
]);
export type MessageContent = z.infer<typeof MessageContentSchema>;

export const MutationSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message.send'),
    clientId: ClientIdSchema,
    conversationId: z.string().min(1),
    content: MessageContentSchema,
    replyToMessageId: z.string().min(1).nullable(),
    /** Messenger/Instagram between 24 hours and 7 days: send with the HUMAN_AGENT tag. */
    humanAgentTag: z.boolean(),
  }),
  z.object({
    type: z.literal('message.react'),
    clientId: ClientIdSchema,
    messageId: z.string().min(1),
    /** An empty string removes the agent's reaction. */
    emoji: z.string().max(16),
  }),
  z.object({
    type: z.literal('conversation.markRead'),
    clientId: ClientIdSchema,
    conversationId: z.string().min(1),
  }),
  z.object({
    type: z.literal('message.note'),
    clientId: ClientIdSchema,
    conversationId: z.string().min(1),
    /** A private note: seen by agents only, never sent to the customer. */
    text: z.string().trim().min(1).max(8000),
    /** Colleagues the note mentions (agent ids): it reaches their Mentions view. */
    mentions: z.array(z.string().min(1)).max(20).default([]),
  }),
  z.object({
    type: z.literal('conversation.assign'),
    clientId: ClientIdSchema,
    conversationId: z.string().min(1),
    /** null: back to the unassigned queue. */
    assigneeId: z.string().min(1).nullable(),
    /** A word for the new assignee, shown with the assignment in the thread. */
    note: z.string().trim().max(500).nullable().optional(),
  }),
  z.object({
    type: z.literal('conversation.transfer'),
    clientId: ClientIdSchema,
    conversationId: z.string().min(1),
    /** The team that answers it from now on; its members see it, the old team's stop seeing it. */
    teamId: z.string().min(1),
  }),
  z.object({
    type: z.literal('conversation.setStatus'),
    clientId: ClientIdSchema,
    conversationId: z.string().min(1),
    status: ConversationStatusSchema,
  }),
  z.object({
    type: z.literal('conversation.snooze'),
    clientId: ClientIdSchema,
    conversationId: z.string().min(1),
    /** When it comes back as open (ms since the epoch); the customer writing brings it back sooner. */
    until: TimestampSchema,
  }),
  z.object({
    type: z.literal('conversation.markUnread'),
    clientId: ClientIdSchema,
    conversationId: z.string().min(1),
  }),
  z.object({
    type: z.literal('conversation.label'),
    clientId: ClientIdSchema,
    conversationId: z.string().min(1),
    label: z.string().trim().min(1).max(50),
    action: z.enum(['add', 'remove']),
  }),
  z.object({
    type: z.literal('contact.merge'),
    clientId: ClientIdSchema,
    /** The contact that disappears into the other. */
    sourceContactId: z.string().min(1),
    targetContactId: z.string().min(1),
  }),
  z.object({
    type: z.literal('contact.setNote'),
    clientId: ClientIdSchema,
    contactId: z.string().min(1),
    /** Replaces the note about the contact; an empty string clears it. */
    note: z.string().max(4000),
  }),
  z.object({
    type: z.literal('cannedResponse.save'),
    clientId: ClientIdSchema,
    /** Chosen by the client for a new one (a UUID); an existing id edits it. */
    id: z.string().min(8).max(64),
    shortcut: CannedResponseSchema.shape.shortcut,
    title: CannedResponseSchema.shape.title,
    body: CannedResponseSchema.shape.body,
    /** Shared with everyone (supervisors and admins) or the agent's own. */
    shared: z.boolean(),
  }),
  z.object({
    type: z.literal('cannedResponse.delete'),
    clientId: ClientIdSchema,
    id: z.string().min(1),
  }),
]);
export type Mutation = z.infer<typeof MutationSchema>;
export type MutationType = Mutation['type'];

export const MutationSuccessSchema = z.object({
  ok: z.literal(true),
  /** The message the mutation created, for message.send. */
  message: MessageSchema.optional(),
});
export type MutationSuccess = z.infer<typeof MutationSuccessSchema>;
export type MutationResult = MutationSuccess | Failure;

/** Typing indicators are not mutations: they are best effort and never queued. */
export const TypingSchema = z.object({ conversationId: z.string().min(1) });
export type Typing = z.infer<typeof TypingSchema>;

/** The thread an agent has on screen (null: none), so colleagues see who else is looking. */
export const ViewingSchema = z.object({ conversationId: z.string().min(1).nullable() });
export type Viewing = z.infer<typeof ViewingSchema>;

/** Who is looking at a conversation and who is writing in it, besides the one told. */
export const ConversationPeersSchema = z.object({
  conversationId: z.string().min(1),
  viewerIds: z.array(z.string()),
  typingIds: z.array(z.string()),
});
export type ConversationPeers = z.infer<typeof ConversationPeersSchema>;

/** An agent sets their own presence by hand (Offline follows the connection). */
export const SetPresenceSchema = z.object({ presence: z.enum(['online', 'away']) });
export type SetPresence = z.infer<typeof SetPresenceSchema>;
