import { z } from 'zod';
import {
  ConversationPeersSchema,
  FailureSchema,
  refusal,
  type ConversationPeers,
  type Result,
  type SetPresence,
} from '@parley/protocol';
import type { SyncLink } from './link.js';

const EMPTY: ConversationPeers = { conversationId: '', viewerIds: [], typingIds: [] };

/**
 * Who else looks at or writes in a conversation. The server is told which thread is on
 * screen (`conversation:view`, again after each reconnect, since it forgets a closed
 * socket's) and pushes `conversation:peers` whenever that changes. Best effort, like
 * typing: nothing is queued, and what was known is dropped when the connection goes.
 */
export class PeerTracker {
  private viewing: string | null = null;
  private readonly peers = new Map<string, ConversationPeers>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly link: SyncLink) {}

  /** The thread on screen changed (null: none). */
  view(conversationId: string | null): void {
    if (this.viewing === conversationId) return;
    this.viewing = conversationId;
    this.announce();
  }

  /** Tells the server again what is on screen: after a (re)connection. */
  announce(): void {
    const socket = this.link.socket();
    if (socket === null || !socket.connected) return;
    socket.emit('conversation:view', { conversationId: this.viewing });
  }

  /** A `conversation:peers` event, validated: anything else is reported and ignored. */
  receive(payload: unknown): void {
    const peers = ConversationPeersSchema.safeParse(payload);
    if (!peers.success) {
      this.link.options.onInvalidPayload?.('conversation:peers', peers.error.message);
      return;
    }
    this.peers.set(peers.data.conversationId, peers.data);
    this.notify();
  }

  /** Forgets everything: the connection went, so nobody can be told to be there. */
  clear(): void {
    if (this.peers.size === 0) return;
    this.peers.clear();
    this.notify();
  }

  /** Who else is in a conversation now (a stable object until it changes, for React). */
  get(conversationId: string): ConversationPeers {
    return this.peers.get(conversationId) ?? EMPTY;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

const PresenceReplySchema = z.union([z.object({ ok: z.literal(true) }), FailureSchema]);

/** Sets the signed-in agent's presence by hand; the server answers, and the change comes back as an agent change. */
export async function sendPresence(link: SyncLink, presence: SetPresence['presence']): Promise<Result> {
  const socket = link.socket();
  if (socket === null || !socket.connected || !link.ready()) return refusal('internal', 'offline');
  let reply: unknown;
  try {
    reply = await socket.timeout(link.timeoutMs).emitWithAck('presence:set', { presence });
  } catch {
    return refusal('internal', 'timeout');
  }
  const result = PresenceReplySchema.safeParse(reply);
  if (!result.success) {
    link.options.onInvalidPayload?.('presence:set', result.error.message);
    return refusal('internal', 'bad_reply');
  }
  return result.data.ok ? { ok: true } : result.data;
}
