import type { FastifyBaseLogger } from 'fastify';
import type { Socket } from 'socket.io';
import {
  TypingSchema,
  refusal,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from '@parley/protocol';
import { mayShowTyping, runMutation, type MutationDeps } from '../../modules/mutations/index.js';

type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;

export type SocketMutationDeps = MutationDeps & { log: FastifyBaseLogger };

/** `mutate` and `typing` on one socket; both only after hello. The mutation module does the rest. */
export function registerMutations(socket: ParleySocket, deps: SocketMutationDeps): void {
  socket.on('mutate', (payload, ack) => {
    if (typeof ack !== 'function') return;
    if (!socket.data.helloDone) {
      ack(refusal('handshake_required', 'hello_required'));
      return;
    }
    runMutation(deps, socket.data.agentId, payload).then(ack, (error: unknown) => {
      deps.log.error({ err: error }, 'mutation failed');
      // Nothing was recorded (the transaction rolled back): the outbox may send it again.
      ack(refusal('internal', 'server_error'));
    });
  });

  socket.on('typing', (payload) => {
    if (!socket.data.helloDone) return;
    const typing = TypingSchema.safeParse(payload);
    // Best effort: a malformed indicator is dropped, never answered.
    if (!typing.success) return;
    const { conversationId } = typing.data;
    mayShowTyping(deps.store.db, socket.data.agentId, conversationId).then(
      (may) => {
        if (may) deps.outbound.typing(conversationId);
      },
      (error: unknown) => deps.log.error({ err: error }, 'typing check failed'),
    );
  });
}
