import type { FastifyBaseLogger } from 'fastify';
import type { Server, Socket } from 'socket.io';
import { refusal, type ClientToServerEvents, type ServerToClientEvents, type SocketData } from '@parley/protocol';
import type { Agents, SessionKey } from '../../modules/agents/index.js';

/**
 * Every socket lives only as long as its session: each request it sends is checked against
 * the session (revoked, deleted, its sign-in expired, its user deactivated), from a cached
 * answer no older than MAX_AGE_MS; a sweep every SWEEP_MS checks idle sockets too. A socket
 * whose session ended is disconnected, so it stops pulling and mutating within a second.
 * Sign-out, deactivation and a replayed refresh token end sockets at once (endSession,
 * endAgent) without waiting for the sweep.
 */

const MAX_AGE_MS = 500;
const SWEEP_MS = 1000;

type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;
type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;

type Checked = { key: SessionKey; agentId: string; checkedAt: number; alive: boolean };

export type SessionGuard = {
  /** Disconnects every socket of that session now. */
  endSession(key: SessionKey): void;
  /** Disconnects every socket of that user now (deactivated, or their role changed). */
  endAgent(agentId: string): void;
  stop(): void;
};

function sessionRoom(key: SessionKey): string {
  return `session:${key}`;
}

function agentRoom(agentId: string): string {
  return `agent:${agentId}`;
}

export function guardSessions(
  io: ParleyServer,
  deps: {
    agents: Agents;
    log: FastifyBaseLogger;
    /** The access token the socket connected with. */
    tokenOf: (socket: ParleySocket) => string | undefined;
    maxAgeMs?: number;
    sweepMs?: number;
  },
): SessionGuard {
  const maxAgeMs = deps.maxAgeMs ?? MAX_AGE_MS;
  const checked = new Map<string, Checked>();

  const end = (socket: ParleySocket): void => {
    checked.delete(socket.id);
    socket.disconnect(true);
  };

  // After the handshake's authentication: remember which session and user the socket is.
  io.use((socket, next) => {
    const token = deps.tokenOf(socket);
    if (token === undefined) {
      next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized', reason: 'session_missing' } }));
      return;
    }
    deps.agents.sessionForToken(token).then(
      (session) => {
        if (session === null) {
          next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized', reason: 'session_ended' } }));
          return;
        }
        checked.set(socket.id, { ...session, checkedAt: Date.now(), alive: true });
        void socket.join([sessionRoom(session.key), agentRoom(session.agentId)]);
        next();
      },
      (error: unknown) => {
        deps.log.error({ err: error }, 'socket session check failed');
        next(Object.assign(new Error('internal'), { data: { code: 'internal', reason: 'server_error' } }));
      },
    );
  });

  io.on('connection', (socket) => {
    socket.on('disconnect', () => checked.delete(socket.id));
    socket.use((packet, next) => {
      const state = checked.get(socket.id);
      if (state === undefined) {
        end(socket);
        return;
      }
      if (state.alive && Date.now() - state.checkedAt <= maxAgeMs) {
        next();
        return;
      }
      deps.agents.aliveSessions([state]).then(
        (alive) => {
          if (!alive.has(state.key)) {
            end(socket);
            return;
          }
          state.checkedAt = Date.now();
          state.alive = true;
          next();
        },
        (error: unknown) => {
          // The database did not answer, which says nothing of the session. The request is
          // not run; it is answered as a server error, which the client retries. Ending the
          // socket instead sent every client of a busy node to connect again, adding to what
          // kept the database from answering.
          deps.log.error({ err: error }, 'socket session check failed');
          const ack: unknown = packet.at(-1);
          if (typeof ack === 'function') (ack as (answer: unknown) => void)(refusal('internal', 'server_error'));
        },
      );
    });
  });

  let sweeping = false;
  const sweep = async (): Promise<void> => {
    if (sweeping || checked.size === 0) return;
    sweeping = true;
    try {
      const asked = [...checked.entries()];
      const keys = new Set(asked.map(([, state]) => state.key));
      const startedAt = Date.now();
      const alive = await deps.agents.aliveSessions(asked.map(([, state]) => state));
      for (const key of keys) {
        if (!alive.has(key)) io.in(sessionRoom(key)).disconnectSockets(true);
      }
      // Only the sockets this sweep asked about: one that connected while it read was checked
      // by its handshake, and its session is not in the answer (forgetting it would end the
      // socket at its next request).
      for (const [id, state] of asked) {
        if (checked.get(id) !== state) continue;
        if (alive.has(state.key)) state.checkedAt = Math.max(state.checkedAt, startedAt);
        else checked.delete(id);
      }
    } catch (error) {
      deps.log.error({ err: error }, 'session sweep failed');
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), deps.sweepMs ?? SWEEP_MS);
  timer.unref();

  return {
    endSession: (key) => {
      io.in(sessionRoom(key)).disconnectSockets(true);
    },
    endAgent: (agentId) => {
      io.in(agentRoom(agentId)).disconnectSockets(true);
    },
    stop: () => clearInterval(timer),
  };
}
