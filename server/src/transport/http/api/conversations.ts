import {
  ApiErrorSchema,
  ChannelSchema,
  ContactSchema,
  ConversationSchema,
  ConversationStatusSchema,
  MessageContentSchema,
  MessageSchema,
  refusal,
  type Contact,
} from '@parley/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { visibleConversation, type Principal } from '../../../modules/access/index.js';
import { history } from '../../../modules/sync/index.js';
import { conversationFromRow } from '../../../platform/rows.js';
import { loadChanges } from '../../../platform/change-loads.js';
import { sendApiError } from '../errors.js';
import { callerOf, sendFailure, type ApiDeps, type ApiRoutes } from './plugin.js';
import { IdempotencyHeaders, READ_ERRORS, WRITE_ERRORS, writeRoute } from './writes.js';

/**
 * /api/v1/conversations: what an integration (or a person) reads and does in conversations,
 * under the socket's rules. Reads see only what `visibleConversation` lets the caller see
 * (anything else is 404 conversation_missing, so its existence is not told); writes are
 * mutations run through `runMutation`, the socket's own path, with the `Idempotency-Key`
 * header as the mutation's client id: the same key answers the same result and never
 * changes anything (or sends anything to Meta) twice.
 */

const MAX_LIMIT = 200;
const DEFAULT_LIMIT = 50;

const Limit = z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT);

const ConversationParams = z.object({ id: z.string().min(1).max(64) });

/** Where a page ends: the last conversation's `lastMessageAt` and id, opaque to callers. */
const CursorSchema = z.tuple([z.number().int(), z.string().min(1)]);

function encodeCursor(lastMessageAt: number, id: string): string {
  return Buffer.from(JSON.stringify([lastMessageAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): [number, string] | null {
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function malformed(reply: FastifyReply, part: string, path: string): FastifyReply {
  return sendApiError(reply, 400, 'bad_request', 'malformed', { request: 'http', part, path });
}

async function visibleRow(deps: ApiDeps, caller: Principal, id: string) {
  return deps.store.db
    .selectFrom('conversations')
    .selectAll()
    .where('conversations.id', '=', id)
    .where(visibleConversation(caller))
    .executeTakeFirst();
}

async function contactOf(deps: ApiDeps, contactId: string): Promise<Contact | null> {
  const [change] = await loadChanges(deps.store.db, [{ entity: 'contact', id: contactId }]);
  return change?.entity === 'contact' ? change.data : null;
}

export const conversationRoutes: ApiRoutes = (api, deps) => {
  api.get(
    '/conversations',
    {
      schema: {
        tags: ['conversations'],
        operationId: 'listConversations',
        summary:
          'Conversations the caller sees, most recent activity first. Follow `nextCursor` for the next page; null at the end.',
        querystring: z.object({
          status: ConversationStatusSchema.optional(),
          teamId: z.string().min(1).max(64).optional(),
          assigneeId: z
            .string()
            .min(1)
            .max(64)
            .optional()
            .describe('An agent id, or `none` for unassigned conversations.'),
          channel: ChannelSchema.optional(),
          limit: Limit,
          cursor: z.string().min(1).max(512).optional(),
        }),
        response: {
          200: z.object({ conversations: z.array(ConversationSchema), nextCursor: z.string().nullable() }),
          ...READ_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { status, teamId, assigneeId, channel, limit, cursor } = request.query;
      const after = cursor === undefined ? null : decodeCursor(cursor);
      if (cursor !== undefined && after === null) return malformed(reply, 'querystring', 'cursor');
      let query = deps.store.db
        .selectFrom('conversations')
        .selectAll()
        .where(visibleConversation(callerOf(request)));
      if (status !== undefined) query = query.where('conversations.status', '=', status);
      if (teamId !== undefined) query = query.where('conversations.team_id', '=', teamId);
      if (assigneeId === 'none') query = query.where('conversations.assignee_id', 'is', null);
      else if (assigneeId !== undefined) query = query.where('conversations.assignee_id', '=', assigneeId);
      if (channel !== undefined) query = query.where('conversations.channel', '=', channel);
      if (after !== null) {
        const [at, id] = after;
        query = query.where((eb) =>
          eb.or([
            eb('conversations.last_message_at', '<', at),
            eb.and([eb('conversations.last_message_at', '=', at), eb('conversations.id', '<', id)]),
          ]),
        );
      }
      const rows = await query
        .orderBy('conversations.last_message_at', 'desc')
        .orderBy('conversations.id', 'desc')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        conversations: page.map(conversationFromRow),
        nextCursor:
          rows.length > limit && last !== undefined ? encodeCursor(Number(last.last_message_at), last.id) : null,
      };
    },
  );

  api.get(
    '/conversations/:id',
    {
      schema: {
        tags: ['conversations'],
        operationId: 'getConversation',
        summary: 'One conversation the caller sees, with its contact.',
        params: ConversationParams,
        response: { 200: z.object({ conversation: ConversationSchema, contact: ContactSchema }), ...READ_ERRORS },
      },
    },
    async (request, reply) => {
      const row = await visibleRow(deps, callerOf(request), request.params.id);
      if (row === undefined) return sendFailure(reply, refusal('not_found', 'conversation_missing'));
      const contact = await contactOf(deps, row.contact_id);
      if (contact === null) return sendFailure(reply, refusal('not_found', 'contact_missing'));
      return { conversation: conversationFromRow(row), contact };
    },
  );

  api.get(
    '/conversations/:id/messages',
    {
      schema: {
        tags: ['conversations'],
        operationId: 'listMessages',
        summary:
          'Messages and notes of a conversation, newest first. For older ones, pass the last `createdAt` as `before`.',
        params: ConversationParams,
        querystring: z.object({
          before: z.coerce
            .number()
            .int()
            .nonnegative()
            .optional()
            .describe('Only messages created strictly before this time (milliseconds since the epoch).'),
          limit: Limit,
        }),
        response: { 200: z.object({ messages: z.array(MessageSchema), hasMore: z.boolean() }), ...READ_ERRORS },
      },
    },
    async (request, reply) => {
      const page = await history(deps.store, callerOf(request), {
        conversationId: request.params.id,
        before: request.query.before ?? Number.MAX_SAFE_INTEGER,
        limit: request.query.limit,
      });
      // The same rule as the socket's history: one the caller cannot see does not exist.
      if (!page.ok) return sendFailure(reply, refusal('not_found', 'conversation_missing'));
      return { messages: page.messages, hasMore: page.hasMore };
    },
  );

  writeRoute(api, deps, {
    method: 'post',
    url: '/conversations/:id/messages',
    schema: {
      tags: ['conversations'],
      operationId: 'sendMessage',
      summary:
        'Sends a message to the customer. Answers 202 with the pending message; it goes out in the background and its status follows.',
      params: ConversationParams,
      headers: IdempotencyHeaders,
      body: z
        .object({
          content: MessageContentSchema,
          replyToMessageId: z.string().min(1).nullable().optional(),
          humanAgentTag: z
            .boolean()
            .optional()
            .describe('Messenger and Instagram between 24 hours and 7 days after the customer wrote.'),
        })
        .strict(),
      response: { 202: z.object({ message: MessageSchema }), ...WRITE_ERRORS, 413: ApiErrorSchema },
    },
    mutation: (request, clientId) => ({
      type: 'message.send',
      clientId,
      conversationId: request.params.id,
      content: request.body.content,
      replyToMessageId: request.body.replyToMessageId ?? null,
      humanAgentTag: request.body.humanAgentTag ?? false,
    }),
    answer: async (_request, reply, success) => {
      if (success.message === undefined) throw new Error('A sent message answered without its message.');
      return reply.code(202).send({ message: success.message });
    },
  });

  writeRoute(api, deps, {
    method: 'post',
    url: '/conversations/:id/notes',
    schema: {
      tags: ['conversations'],
      operationId: 'addNote',
      summary: 'Adds a private note: seen by the team, never sent to the customer.',
      params: ConversationParams,
      headers: IdempotencyHeaders,
      body: z
        .object({
          text: z.string().trim().min(1).max(8000),
          mentions: z
            .array(z.string().min(1).max(64))
            .max(20)
            .optional()
            .describe('Colleagues the note mentions (agent ids): each must see the conversation.'),
        })
        .strict(),
      response: { 201: z.object({ message: MessageSchema }), ...WRITE_ERRORS },
    },
    mutation: (request, clientId) => ({
      type: 'message.note',
      clientId,
      conversationId: request.params.id,
      text: request.body.text,
      mentions: request.body.mentions ?? [],
    }),
    answer: async (_request, reply, success) => {
      if (success.message === undefined) throw new Error('A note answered without its message.');
      return reply.code(201).send({ message: success.message });
    },
  });

  /**
   * Assign, status, snooze and unread answer the conversation after the change, as the
   * caller may see it: null when the change took it out of their sight (an agent giving back
   * a conversation of another team), or when a repeated key answers for a conversation they
   * no longer see.
   */
  const answerConversation = async (
    request: FastifyRequest & { params: { id: string } },
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const row = await visibleRow(deps, callerOf(request), request.params.id);
    return reply.code(200).send({ conversation: row === undefined ? null : conversationFromRow(row) });
  };
  const conversationAnswer = { 200: z.object({ conversation: ConversationSchema.nullable() }), ...WRITE_ERRORS };

  writeRoute(api, deps, {
    method: 'post',
    url: '/conversations/:id/assign',
    schema: {
      tags: ['conversations'],
      operationId: 'assignConversation',
      summary:
        'Assigns the conversation to a person (`null`: back to the queue). Agents may only take an unassigned one or give back their own.',
      params: ConversationParams,
      headers: IdempotencyHeaders,
      body: z
        .object({
          assigneeId: z.string().min(1).max(64).nullable(),
          note: z.string().trim().max(500).nullable().optional(),
        })
        .strict(),
      response: conversationAnswer,
    },
    mutation: (request, clientId) => ({
      type: 'conversation.assign',
      clientId,
      conversationId: request.params.id,
      assigneeId: request.body.assigneeId,
      ...(request.body.note === undefined ? {} : { note: request.body.note }),
    }),
    answer: answerConversation,
  });

  writeRoute(api, deps, {
    method: 'post',
    url: '/conversations/:id/status',
    schema: {
      tags: ['conversations'],
      operationId: 'setConversationStatus',
      summary: 'Opens, sets pending or resolves the conversation (to snooze it, use /snooze with a time).',
      params: ConversationParams,
      headers: IdempotencyHeaders,
      body: z.object({ status: ConversationStatusSchema }).strict(),
      response: conversationAnswer,
    },
    mutation: (request, clientId) => ({
      type: 'conversation.setStatus',
      clientId,
      conversationId: request.params.id,
      status: request.body.status,
    }),
    answer: answerConversation,
  });

  writeRoute(api, deps, {
    method: 'post',
    url: '/conversations/:id/snooze',
    schema: {
      tags: ['conversations'],
      operationId: 'snoozeConversation',
      summary:
        'Sets the conversation aside until a time (within a year): it comes back as open then, or sooner when the customer writes.',
      params: ConversationParams,
      headers: IdempotencyHeaders,
      body: z
        .object({ until: z.number().int().positive().describe('Milliseconds since the epoch, in the future.') })
        .strict(),
      response: conversationAnswer,
    },
    mutation: (request, clientId) => ({
      type: 'conversation.snooze',
      clientId,
      conversationId: request.params.id,
      until: request.body.until,
    }),
    answer: answerConversation,
  });

  writeRoute(api, deps, {
    method: 'post',
    url: '/conversations/:id/unread',
    schema: {
      tags: ['conversations'],
      operationId: 'markConversationUnread',
      summary: 'Marks the conversation unread (at least one unread message) for the team.',
      params: ConversationParams,
      headers: IdempotencyHeaders,
      response: conversationAnswer,
    },
    mutation: (request, clientId) => ({ type: 'conversation.markUnread', clientId, conversationId: request.params.id }),
    answer: answerConversation,
  });
};
