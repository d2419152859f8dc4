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
import { z } from 'zod';
import { canSee, principalOf } from '../../modules/access/index.js';
import type { RedisLink } from '../../platform/redis.js';
import type { Store } from '../../platform/store.js';

type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;
type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;

/** How long one `typing` event marks its agent as typing. */
export const TYPING_MS = 5_000;

function room(conversationId: string): string {
  return `peers:${conversationId}`;
}

/** Several nodes: how long a node's viewer counts without being renewed (a node that died). */
export const VIEW_LEASE_MS = 15_000;
/** How often a node renews its viewers and tells its sockets what changed on nodes that went quiet. */
export const VIEW_RENEW_MS = 5_000;
/** The channel a node tells the others, by conversation id, that its peers changed. */
export const PEERS_CHANNEL = 'parley:peers';

const PeersNoticeSchema = z.object({ node: z.string().min(1).max(64), conversationId: z.string().min(1).max(200) });

const viewersKey = (conversationId: string): string => `parley:viewers:${conversationId}`;
const typingKey = (conversationId: string): string => `parley:typing:${conversationId}`;

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
export function startPeers(
  io: ParleyServer,
  deps: { store: Store; log: FastifyBaseLogger; redis?: RedisLink },
): PeersWiring {
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
  const shared = deps.redis === undefined ? null : sharedPeers(io, deps.redis, deps.log, peersOf);
  const announce = (conversationId: string): void => {
    if (shared === null) io.to(room(conversationId)).emit('conversation:peers', peersOf(conversationId));
    else shared.changed(conversationId);
  };
  const stopTyping = (conversationId: string, agentId: string): boolean => {
    const typers = typing.get(conversationId);
    const timer = typers?.get(agentId);
    if (typers === undefined || timer === undefined) return false;
    clearTimeout(timer);
    typers.delete(agentId);
    if (typers.size === 0) typing.delete(conversationId);
    shared?.typing(agentId, conversationId, false);
    return true;
  };
  const leave = (socket: ParleySocket): void => {
    const view = viewing.get(socket.id);
    if (view === undefined) return;
    viewing.delete(socket.id);
    shared?.view(socket.id, view.agentId, view.conversationId, false);
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
              shared?.view(socket.id, agentId, conversationId, true);
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
        if (known === undefined) {
          shared?.typing(agentId, conversationId, true);
          announce(conversationId);
        }
      });
      socket.on('disconnect', () => leave(socket));
    },
    close: () => {
      shared?.close(viewing, typing);
      for (const typers of typing.values()) for (const timer of typers.values()) clearTimeout(timer);
      typing.clear();
      viewing.clear();
    },
  };
}

/**
 * Who views and types across nodes: each node writes its own viewers (socket → agent, with
 * a lease it renews) and typers (until their typing ends) into Redis hashes per
 * conversation, and tells the others which conversation changed. Each node then reads the
 * hashes and tells its own sockets in that conversation's room, so every node sends what
 * Redis holds, read after the change. Every VIEW_RENEW_MS a node renews its viewers and
 * tells its sockets again when what they see changed without a word (a node that died: its
 * leases run out). While Redis is away a node tells its sockets what it knows itself.
 */
function sharedPeers(
  io: ParleyServer,
  redis: RedisLink,
  log: FastifyBaseLogger,
  localPeers: (conversationId: string) => ConversationPeers,
): {
  view(socketId: string, agentId: string, conversationId: string, on: boolean): void;
  typing(agentId: string, conversationId: string, on: boolean): void;
  changed(conversationId: string): void;
  close(
    viewing: ReadonlyMap<string, { agentId: string; conversationId: string }>,
    typing: ReadonlyMap<string, unknown>,
  ): void;
} {
  /** What each conversation's room was last told, to tell it again only when it changed. */
  const told = new Map<string, string>();
  /** One telling at a time per conversation, so the last one sent is the last one read. */
  const telling = new Map<string, Promise<void>>();
  const own = new Map<string, { agentId: string; conversationId: string }>();

  const field = (socketId: string): string => `${redis.nodeId}:${socketId}`;
  const run = (work: Promise<unknown>): void => {
    work.catch(() => undefined);
  };

  const read = async (conversationId: string): Promise<ConversationPeers> => {
    const mine = localPeers(conversationId);
    if (!redis.up()) return mine;
    try {
      const now = Date.now();
      const [viewers, typers] = await Promise.all([
        redis.client.hgetall(viewersKey(conversationId)),
        redis.client.hgetall(typingKey(conversationId)),
      ]);
      const viewerIds = new Set(mine.viewerIds);
      const stale: string[] = [];
      for (const [key, value] of Object.entries(viewers)) {
        const [agentId = '', until = '0'] = value.split('|');
        if (Number(until) > now) viewerIds.add(agentId);
        else stale.push(key);
      }
      if (stale.length > 0) run(redis.client.hdel(viewersKey(conversationId), ...stale));
      const typingIds = new Set(mine.typingIds);
      for (const [agentId, until] of Object.entries(typers)) if (Number(until) > now) typingIds.add(agentId);
      return { conversationId, viewerIds: [...viewerIds].sort(), typingIds: [...typingIds].sort() };
    } catch {
      return mine;
    }
  };
  const tell = (conversationId: string, always: boolean): void => {
    const previous = telling.get(conversationId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const peers = await read(conversationId);
      const text = JSON.stringify(peers);
      if (!always && told.get(conversationId) === text) return;
      const listeners = io.of('/').adapter.rooms.get(room(conversationId))?.size ?? 0;
      if (listeners === 0) told.delete(conversationId);
      else told.set(conversationId, text);
      io.local.to(room(conversationId)).emit('conversation:peers', peers);
    });
    const settled = next.catch((error: unknown) => log.error({ err: error }, 'telling peers failed'));
    telling.set(conversationId, settled);
    void settled.then(() => {
      if (telling.get(conversationId) === settled) telling.delete(conversationId);
    });
  };

  redis.subscribe(PEERS_CHANNEL, (message) => {
    try {
      const notice = PeersNoticeSchema.safeParse(JSON.parse(message));
      if (notice.success && notice.data.node !== redis.nodeId) tell(notice.data.conversationId, true);
    } catch {
      // Not ours: ignored.
    }
  });

  const renew = setInterval(() => {
    const until = Date.now() + VIEW_LEASE_MS;
    if (redis.up()) {
      for (const [socketId, view] of own) {
        run(redis.client.hset(viewersKey(view.conversationId), field(socketId), `${view.agentId}|${until}`));
      }
    }
    const rooms = new Set<string>([...own.values()].map((view) => view.conversationId));
    for (const conversationId of rooms) tell(conversationId, false);
  }, VIEW_RENEW_MS);
  renew.unref();

  return {
    view: (socketId, agentId, conversationId, on) => {
      if (on) own.set(socketId, { agentId, conversationId });
      else own.delete(socketId);
      if (!redis.up()) return;
      const key = viewersKey(conversationId);
      run(
        on
          ? redis.client
              .multi()
              .hset(key, field(socketId), `${agentId}|${Date.now() + VIEW_LEASE_MS}`)
              .pexpire(key, VIEW_LEASE_MS * 4)
              .exec()
          : redis.client.hdel(key, field(socketId)),
      );
    },
    typing: (agentId, conversationId, on) => {
      if (!redis.up()) return;
      const key = typingKey(conversationId);
      run(
        on
          ? redis.client
              .multi()
              .hset(key, agentId, String(Date.now() + TYPING_MS))
              .pexpire(key, TYPING_MS * 4)
              .exec()
          : redis.client.hdel(key, agentId),
      );
    },
    changed: (conversationId) => {
      tell(conversationId, true);
      if (redis.up()) {
        run(redis.client.publish(PEERS_CHANNEL, JSON.stringify({ node: redis.nodeId, conversationId })));
      }
    },
    close: (viewing) => {
      clearInterval(renew);
      if (!redis.up()) return;
      for (const [socketId, view] of viewing) run(redis.client.hdel(viewersKey(view.conversationId), field(socketId)));
    },
  };
}
