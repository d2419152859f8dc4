import type { FastifyBaseLogger } from 'fastify';
import type { Server, Socket } from 'socket.io';
import {
  SetPresenceSchema,
  refusal,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from '@parley/protocol';
import { OfflineSweeper } from '../../modules/assignment/index.js';
import { presenceOf } from '../../modules/presence/index.js';
import type { Store } from '../../platform/store.js';

type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;
type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;

export type PresenceWiring = {
  /** Counts the socket for its agent's presence, and answers its `presence:set`. */
  connected(socket: ParleySocket): void;
  close(): Promise<void>;
};

/**
 * Presence over the socket: each authenticated socket counts for its agent (modules/presence
 * decides Online, Away, Offline), and `presence:set` sets Away or back Online by hand. The
 * offline sweeper runs here too: conversations of assignees Offline beyond their team's
 * grace go back to the queue.
 */
export function startPresence(_io: ParleyServer, deps: { store: Store; log: FastifyBaseLogger }): PresenceWiring {
  const presence = presenceOf(deps.store);
  const onError = (error: unknown): void => deps.log.error({ err: error }, 'presence update failed');
  void presence.reset().catch(onError);
  const sweeper = new OfflineSweeper(deps.store, { onError });
  sweeper.start();
  return {
    connected: (socket) => {
      const { agentId } = socket.data;
      presence.connected(agentId, socket.id).catch(onError);
      socket.on('disconnect', () => presence.disconnected(agentId, socket.id));
      socket.on('presence:set', (payload, ack) => {
        if (typeof ack !== 'function') return;
        if (!socket.data.helloDone) {
          ack(refusal('handshake_required', 'hello_required'));
          return;
        }
        const request = SetPresenceSchema.safeParse(payload);
        if (!request.success) {
          ack(
            refusal('bad_request', 'malformed', {
              request: 'presence',
              path: request.error.issues[0]?.path.map(String).join('.') ?? '',
            }),
          );
          return;
        }
        presence.set(agentId, request.data.presence).then(
          (result) => ack('ok' in result ? result : { ok: true }),
          (error: unknown) => {
            onError(error);
            ack(refusal('internal', 'server_error'));
          },
        );
      });
    },
    close: async () => {
      presence.stop();
      await sweeper.stop();
    },
  };
}
