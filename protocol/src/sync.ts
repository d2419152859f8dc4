import { z } from 'zod';
import {
  AgentSchema,
  CannedResponseSchema,
  ChannelAccountSchema,
  ContactSchema,
  ConversationSchema,
  MessageSchema,
  TeamSchema,
  TemplateSchema,
} from './domain.js';
import { FailureSchema } from './errors.js';

/** A conversation that left this user's sight, by its id, stamped like any change. */
export const RemovalSchema = z.object({
  id: z.string().min(1),
  seq: z.number().int().nonnegative(),
});
export type Removal = z.infer<typeof RemovalSchema>;

/**
 * One change as the server sends it: the latest state of one entity, stamped with the
 * global sequence number (`data.seq`) of the change that produced it. Applying a change
 * is idempotent: a client keeps whichever version has the higher `seq`.
 */
export const ChangeSchema = z.discriminatedUnion('entity', [
  z.object({ entity: z.literal('agent'), data: AgentSchema }),
  z.object({ entity: z.literal('contact'), data: ContactSchema }),
  z.object({ entity: z.literal('conversation'), data: ConversationSchema }),
  z.object({ entity: z.literal('message'), data: MessageSchema }),
  z.object({ entity: z.literal('channelAccount'), data: ChannelAccountSchema }),
  z.object({ entity: z.literal('template'), data: TemplateSchema }),
  z.object({ entity: z.literal('team'), data: TeamSchema }),
  z.object({ entity: z.literal('cannedResponse'), data: CannedResponseSchema }),
  /**
   * This user may no longer see the conversation (it moved to another team, they left the
   * team, their role changed): the client deletes it, its messages and their media.
   */
  z.object({ entity: z.literal('removal'), data: RemovalSchema }),
]);
export type Change = z.infer<typeof ChangeSchema>;
export type ChangeEntity = Change['entity'];

export const PullRequestSchema = z.object({
  /** The highest `seq` the client has applied; 0 for a new install. */
  cursor: z.number().int().nonnegative(),
  limit: z.number().int().min(1).max(1000).default(500),
  /**
   * Set on every page of a new install's first sync: the server then sends every open
   * conversation, closed ones only from the last `closedDays`, and only the last
   * `messagesPerConversation` messages of each. Older history comes with `history:fetch`.
   */
  bootstrap: z
    .object({
      messagesPerConversation: z.number().int().min(1).max(1000).default(50),
      closedDays: z.number().int().min(0).max(3650).default(30),
    })
    .optional(),
});
export type PullRequest = z.input<typeof PullRequestSchema>;

export const PullPageSchema = z.object({
  changes: z.array(ChangeSchema),
  /** The cursor to send next: the `seq` of the last change in this page. */
  cursor: z.number().int().nonnegative(),
  hasMore: z.boolean(),
  /** The highest `seq` the server has stamped, so a client can show its progress. */
  head: z.number().int().nonnegative(),
});
export type PullPage = z.infer<typeof PullPageSchema>;

/**
 * A batch of changes pushed live, as committed together. `after` is the server's `seq`
 * before this batch: a client whose cursor is lower has missed something and pulls.
 */
export const LiveBatchSchema = z.object({
  after: z.number().int().nonnegative(),
  /**
   * The server's `seq` after this batch. Each user is sent only what they may see, so a
   * batch may hold fewer changes than it covers, or none: the client's cursor moves to
   * `upTo` all the same.
   */
  upTo: z.number().int().nonnegative(),
  changes: z.array(ChangeSchema),
});
export type LiveBatch = z.infer<typeof LiveBatchSchema>;

export function changeSeq(change: Change): number {
  return change.data.seq;
}

export const PullReplySchema = z.union([PullPageSchema.extend({ ok: z.literal(true) }), FailureSchema]);
export type PullReply = z.infer<typeof PullReplySchema>;

export const HistoryRequestSchema = z.object({
  conversationId: z.string().min(1),
  /** Messages created strictly before this time (ms), newest first. */
  before: z.number().int().nonnegative(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type HistoryRequest = z.input<typeof HistoryRequestSchema>;

export const HistoryPageSchema = z.object({
  messages: z.array(MessageSchema),
  hasMore: z.boolean(),
});
export type HistoryPage = z.infer<typeof HistoryPageSchema>;

export const HistoryReplySchema = z.union([HistoryPageSchema.extend({ ok: z.literal(true) }), FailureSchema]);
export type HistoryReply = z.infer<typeof HistoryReplySchema>;
