import type { Message } from '@parley/protocol';

/** What a benchmark's message says; the rest is what a plain delivered text has. */
export type MessageFields = Pick<
  Message,
  'id' | 'conversationId' | 'direction' | 'kind' | 'text' | 'createdAt' | 'seq'
>;

/** A cached message row as the app stores it, for the corpora and caches the benchmarks write. */
export function messageRow(fields: MessageFields): Message {
  return {
    id: fields.id,
    conversationId: fields.conversationId,
    clientId: null,
    externalId: null,
    direction: fields.direction,
    kind: fields.kind,
    text: fields.text,
    authorAgentId: null,
    status: 'delivered',
    attachments: [],
    location: null,
    sharedContacts: [],
    replyTo: null,
    interactive: null,
    reactions: [],
    forwarded: 'no',
    template: null,
    humanAgentTag: false,
    error: null,
    editedAt: null,
    deletedAt: null,
    mentions: [],
    createdAt: fields.createdAt,
    seq: fields.seq,
  };
}
