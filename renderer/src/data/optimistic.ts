import type { Message, Mutation } from '@parley/protocol';

/** The id of the optimistic copy of a message: local, replaced by the server's own id. */
export function optimisticMessageId(clientId: string): string {
  return `local:${clientId}`;
}

/**
 * The message the agent sees at once for a queued send or note, before the server has
 * stored it. Built from the mutation alone, so it can be rebuilt from an outbox row when
 * the cache around it is rebuilt.
 */
export function optimisticMessage(mutation: Mutation, agentId: string | null, now: number): Message | null {
  if (mutation.type !== 'message.send' && mutation.type !== 'message.note') return null;
  const base: Message = {
    id: optimisticMessageId(mutation.clientId),
    conversationId: mutation.conversationId,
    clientId: mutation.clientId,
    externalId: null,
    direction: 'outbound',
    kind: 'note',
    text: null,
    authorAgentId: agentId,
    status: 'pending',
    attachments: [],
    location: null,
    sharedContacts: [],
    replyTo: null,
    interactive: null,
    reactions: [],
    mentions: mutation.type === 'message.note' ? mutation.mentions : [],
    forwarded: 'no',
    template: null,
    humanAgentTag: false,
    error: null,
    editedAt: null,
    deletedAt: null,
    createdAt: now,
    // Any version from the server wins over this one.
    seq: 0,
  };
  if (mutation.type === 'message.note') return { ...base, text: mutation.text };
  const content = mutation.content;
  const kind = content.kind === 'text' ? 'text' : content.kind === 'template' ? 'template' : 'document';
  const text = content.kind === 'text' ? content.text : content.kind === 'media' ? content.caption : null;
  return { ...base, kind, text, humanAgentTag: mutation.humanAgentTag };
}
