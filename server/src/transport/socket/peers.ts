import type { FastifyBaseLogger } from 'fastify';
import type { Server, Socket } from 'socket.io';
import {
  TypingSchema,
  ViewingSchema,
  type ClientToServerEvents,
  type ConversationPeers,
  type ServerToClientEvents,
  type SocketData,
} from '@parley/protocol';
import { canSee, principalOf } from '../../modules/access/index.js';
import type { Store } from '../../platform/store.js';

type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;
type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;

/** How long one `typing` event marks its agent as typing. */
export const TYPING_MS = 5_000;

function room(conversationId: string): string {
  return `peers:${conversationId}`;
}

export type PeersWiring = {
  connected(socket: ParleySocket): void;
  close(): void;
};

/**
 * Collision: who has a conversation on screen (`conversation:view`) and who is typing in it
 * (the `typing` event, for TYPING_MS). Whenever that changes, the sockets viewing that
 * conversation get `conversation:peers` with every viewer and typer (each client leaves
 * itself out). Only the viewers are told, and a socket may view only a conversation its
 * user can see, so nobody learns of a thread they cannot read. Per process.
 */
export function startPeers(io: ParleyServer, deps: { store: Store; log: FastifyBaseLogger }): PeersWiring {
  /** socket id → what it shows. */
  const viewing = new Map<string, { agentId: string; conversationId: string }>();
  /** conversation id → agent id → the timer that ends their typing. */
  const typing = new Map<string, Map<string, NodeJS.Timeout>>();

  const peersOf = (conversationId: string): ConversationPeers => {
    const viewerIds = new Set<string>();
    for (const view of viewing.values()) if (view.conversationId === conversationId) viewerIds.add(view.agentId);
    return {
      conversationId,
      viewerIds: [...viewerIds].sort(),
      typingIds: [...(typing.get(conversationId)?.keys() ?? [])].sort(),
    };
  };
  const announce = (conversationId: string): void => {
    io.to(room(conversationId)).emit('conversation:peers', peersOf(conversationId));
  };
  const stopTyping = (conversationId: string, agentId: string): boolean => {
    const typers = typing.get(conversationId);
    const timer = typers?.get(agentId);
    if (typers === undefined || timer === undefined) return false;
    clearTimeout(timer);
    typers.delete(agentId);
    if (typers.size === 0) typing.delete(conversationId);
    return true;
  };
  const leave = (socket: ParleySocket): void => {
    const view = viewing.get(socket.id);
    if (view === undefined) return;
    viewing.delete(socket.id);
    void socket.leave(room(view.conversationId));
    const stillThere = [...viewing.values()].some(
      (other) => other.agentId === view.agentId && other.conversationId === view.conversationId,
    );
    if (!stillThere) stopTyping(view.conversationId, view.agentId);
    announce(view.conversationId);
  };

  return {
    connected: (socket) => {
      const { agentId } = socket.data;
      socket.on('conversation:view', (payload) => {
        if (!socket.data.helloDone) return;
        const request = ViewingSchema.safeParse(payload);
        // Best effort, like typing: a malformed request is dropped.
        if (!request.success) return;
        const conversationId = request.data.conversationId;
        if (viewing.get(socket.id)?.conversationId === conversationId) return;
        leave(socket);
        if (conversationId === null) return;
        void principalOf(deps.store.db, agentId)
          .then(async (principal) => principal !== null && (await canSee(deps.store.db, principal, conversationId)))
          .then(
            (visible) => {
              if (!visible || !socket.connected) return;
              leave(socket);
              viewing.set(socket.id, { agentId, conversationId });
              void socket.join(room(conversationId));
              announce(conversationId);
            },
            (error: unknown) => deps.log.error({ err: error }, 'conversation view failed'),
          );
      });
      socket.on('typing', (payload) => {
        if (!socket.data.helloDone) return;
        const request = TypingSchema.safeParse(payload);
        if (!request.success) return;
        const { conversationId } = request.data;
        // Typing counts in the conversation this socket shows (checked when it chose it).
        if (viewing.get(socket.id)?.conversationId !== conversationId) return;
        let typers = typing.get(conversationId);
        if (typers === undefined) typing.set(conversationId, (typers = new Map<string, NodeJS.Timeout>()));
        const known = typers.get(agentId);
        if (known !== undefined) clearTimeout(known);
        const timer = setTimeout(() => {
          if (stopTyping(conversationId, agentId)) announce(conversationId);
        }, TYPING_MS);
        timer.unref();
        typers.set(agentId, timer);
        if (known === undefined) announce(conversationId);
      });
      socket.on('disconnect', () => leave(socket));
    },
    close: () => {
      for (const typers of typing.values()) for (const timer of typers.values()) clearTimeout(timer);
      typing.clear();
      viewing.clear();
    },
  };
}
