import type { Server as HttpServer } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyBaseLogger } from 'fastify';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server, type Socket } from 'socket.io';
import {
  HelloSchema,
  HistoryRequestSchema,
  PROTOCOL_VERSION,
  PullRequestSchema,
  SESSION_COOKIE,
  SOCKET_AUTH_TOKEN,
  refusal,
  type ErrorCode,
  type Failure,
  type FailureReason,
  type LiveBatch,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from '@parley/protocol';
import type { Agents, SessionKey } from '../../modules/agents/index.js';
import type { OutboundService } from '../../modules/outbound/index.js';
import type { ServerMetrics } from '../../platform/metrics.js';
import type { RedisLink } from '../../platform/redis.js';
import type { CommittedBatch, Store } from '../../platform/store.js';
import { loadScopes, principalOf, type Scopes } from '../../modules/access/index.js';
import { LiveSends, QUIET_BATCH_EVERY_MS, batchFor, changesScopes, history, pull } from '../../modules/sync/index.js';
import { LiveSequencer, announceCommit, linkLiveFeed } from './live.js';
import { registerMutations } from './mutations.js';
import { startPeers } from './peers.js';
import { startPresence } from './presence.js';
import { guardSessions } from './session-guard.js';

type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;
type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;

/** Room of every socket past its hello: the ones live batches are cut for. */
const AGENTS_ROOM = 'agents';

export type Realtime = {
  io: ParleyServer;
  /** Disconnects every socket opened with that session (after sign-out). */
  endSession(key: SessionKey): void;
  /** Disconnects every socket of a user at once (deactivated, or their role changed). */
  endAgent(agentId: string): void;
  close(): Promise<void>;
};

/** The desktop app's pages are served from this origin by its own protocol handler. */
const DESKTOP_ORIGIN = 'app://parley';

/**
 * Browsers send cookies with a WebSocket handshake whatever page opened it, and CORS does
 * not apply to WebSockets; so the handshake's Origin is checked here. Allowed: the desktop
 * app, pages this server served itself, and clients that send no Origin (not browsers).
 */
export function originAllowed(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (origin === DESKTOP_ORIGIN) return true;
  if (host === undefined) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}

function handshakeToken(socket: ParleySocket): string | undefined {
  const auth: unknown = socket.handshake.auth;
  if (typeof auth === 'object' && auth !== null && SOCKET_AUTH_TOKEN in auth) {
    const token = (auth as Record<string, unknown>)[SOCKET_AUTH_TOKEN];
    if (typeof token === 'string' && token.length > 0) return token;
  }
  const cookie = socket.handshake.headers.cookie;
  return cookie === undefined ? undefined : fastifyCookie.parse(cookie)[SESSION_COOKIE];
}

/** A malformed request: which one (params.request) and the field at fault (params.path). */
function malformed(request: string, error: { issues: readonly { path: readonly PropertyKey[] }[] }): Failure {
  return refusal('bad_request', 'malformed', { request, path: error.issues[0]?.path.map(String).join('.') ?? '' });
}

/** socket.io needs an Error; its message is the code, and `data` carries what the renderer words. */
function connectError(code: ErrorCode, reason: FailureReason): Error {
  return Object.assign(new Error(code), { data: { code, reason } });
}

export function startRealtime(
  httpServer: HttpServer,
  deps: {
    store: Store;
    agents: Agents;
    log: FastifyBaseLogger;
    outbound: OutboundService;
    metrics?: ServerMetrics;
    /** True once the server is stopping: new sockets are refused, to connect to another node. */
    draining?: () => boolean;
    /** Several nodes (REDIS_URL): socket.io's Streams adapter, and the live feed across nodes. */
    redis?: RedisLink;
    /** How often idle sockets' sessions are checked (session-guard.ts). */
    sessionSweepMs?: number;
  },
): Realtime {
  const io: ParleyServer = new Server(httpServer, {
    // Same origin in the browser; the desktop app connects from app://parley.
    cors: { origin: [DESKTOP_ORIGIN], credentials: true },
    allowRequest: (request, callback) => {
      if (deps.draining?.() === true) {
        callback('shutting down', false);
        return;
      }
      const allowed = originAllowed(request.headers.origin, request.headers.host);
      if (!allowed) deps.log.warn({ origin: request.headers.origin }, 'socket refused: foreign origin');
      callback(allowed ? null : 'origin not allowed', allowed);
    },
    // The socket carries no durable state: the outbox and the cursor do. Small frames.
    maxHttpBufferSize: 1024 * 1024,
    serveClient: false,
    // A dropped network is noticed within 15 s; with presence's 15 s grace, Offline within 30 s.
    pingInterval: 10_000,
    pingTimeout: 5_000,
    // Several nodes: a sign-out or a deactivation disconnects the user's sockets on every node.
    ...(deps.redis === undefined ? {} : { adapter: createAdapter(deps.redis.adapterClient) }),
  });
  deps.metrics?.countSocketsWith(() => io.of('/').sockets.size);
  // [wiring:presence] presence, the offline sweeper, and who views or types in a thread.
  const presence = startPresence(io, deps);
  const peers = startPeers(io, deps);

  io.use((socket, next) => {
    const token = handshakeToken(socket);
    if (token === undefined) {
      next(connectError('unauthorized', 'session_missing'));
      return;
    }
    deps.agents.agentForToken(token).then(
      (agent) => {
        if (agent === null) {
          void deps.agents.endedReason(token).then(
            (reason) => next(connectError('unauthorized', reason)),
            () => next(connectError('unauthorized', 'session_ended')),
          );
          return;
        }
        socket.data.agentId = agent.id;
        socket.data.helloDone = false;
        next();
      },
      (error: unknown) => {
        deps.log.error({ err: error }, 'socket authentication failed');
        next(connectError('internal', 'server_error'));
      },
    );
  });

  // [wiring:sessions] every request checks its session; ended sessions lose their sockets.
  const guard = guardSessions(io, {
    agents: deps.agents,
    log: deps.log,
    tokenOf: handshakeToken,
    ...(deps.sessionSweepMs === undefined ? {} : { sweepMs: deps.sessionSweepMs }),
  });

  // [wiring:live] a socket is sent only the batches it sees something of, and now and then
  // the empty one that moves its cursor past those it was not sent.
  const sends = new LiveSends<ParleySocket>();
  // Sockets sent the same batch share one emit, so it is serialized once for them; only
  // this node's sockets (every node delivers every batch to its own). Returns the emits.
  const emitBatches = (outgoing: Iterable<{ key: string; batch: LiveBatch; socket: ParleySocket }>): number => {
    const groups = new Map<string, { batch: LiveBatch; ids: string[] }>();
    for (const { key, batch, socket } of outgoing) {
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { batch, ids: [socket.id] });
      else group.ids.push(socket.id);
    }
    for (const { batch, ids } of groups.values()) {
      io.local.to(ids).emit('sync:changes', { after: batch.after, upTo: batch.upTo, changes: batch.changes });
    }
    return groups.size;
  };
  const quiet = setInterval(() => {
    emitBatches(sends.quiet().map(([socket, batch]) => ({ key: `${batch.after}-${batch.upTo}`, batch, socket })));
  }, QUIET_BATCH_EVERY_MS / 4);
  quiet.unref();

  io.on('connection', (socket) => {
    presence.connected(socket);
    peers.connected(socket);
    socket.on('disconnect', () => sends.forget(socket));
    socket.on('hello', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const hello = HelloSchema.safeParse(payload);
      if (!hello.success) {
        ack(malformed('hello', hello.error));
        return;
      }
      if (hello.data.protocolVersion !== PROTOCOL_VERSION) {
        deps.log.info(
          { client: hello.data.client, version: hello.data.protocolVersion },
          'client refused: protocol mismatch',
        );
        ack(
          refusal('protocol_mismatch', 'protocol_version_unsupported', {
            clientVersion: hello.data.protocolVersion,
            serverVersion: PROTOCOL_VERSION,
          }),
        );
        // Let the acknowledgement reach the client before the socket closes.
        setTimeout(() => socket.disconnect(true), 100);
        return;
      }
      void Promise.all([deps.agents.agentById(socket.data.agentId), deps.store.head()]).then(
        ([agent, head]) => {
          if (agent === null) {
            ack(refusal('unauthorized', 'agent_missing'));
            socket.disconnect(true);
            return;
          }
          socket.data.helloDone = true;
          void socket.join(AGENTS_ROOM);
          ack({ ok: true, protocolVersion: PROTOCOL_VERSION, agent, head });
        },
        (error: unknown) => {
          deps.log.error({ err: error }, 'hello failed');
          ack(refusal('internal', 'server_error'));
        },
      );
    });

    // [wiring:mutations] mutate (idempotent by client id) and typing.
    registerMutations(socket, deps);

    socket.on('history:fetch', (payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!socket.data.helloDone) {
        ack(refusal('handshake_required', 'hello_required'));
        return;
      }
      const request = HistoryRequestSchema.safeParse(payload);
      if (!request.success) {
        ack(malformed('history', request.error));
        return;
      }
      const agentId = socket.data.agentId;
      principalOf(deps.store.db, agentId)
        .then((principal) => (principal === null ? null : history(deps.store, principal, request.data)))
        .then(
          (page) => {
            // A conversation this user may not see answers as one that does not exist.
            if (page === null || !page.ok) ack(refusal('not_found', 'conversation_missing'));
            else ack({ ok: true, messages: page.messages, hasMore: page.hasMore });
          },
          (error: unknown) => {
            deps.log.error({ err: error }, 'history fetch failed');
            ack(refusal('internal', 'server_error'));
          },
        );
    });

    socket.on('sync:pull', (payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!socket.data.helloDone) {
        ack(refusal('handshake_required', 'hello_required'));
        return;
      }
      const request = PullRequestSchema.safeParse(payload);
      if (!request.success) {
        ack(malformed('pull', request.error));
        return;
      }
      const { cursor, limit, bootstrap } = request.data;
      principalOf(deps.store.db, socket.data.agentId)
        .then((principal) => (principal === null ? null : pull(deps.store, principal, cursor, limit, bootstrap)))
        .then(
          (page) => {
            if (page === null) {
              ack(refusal('unauthorized', 'agent_missing'));
              socket.disconnect(true);
            } else {
              ack({ ok: true, ...page });
            }
          },
          (error: unknown) => {
            deps.log.error({ err: error }, 'pull failed');
            ack(refusal('internal', 'server_error'));
          },
        );
    });
  });

  // Live batches, cut per user by the in-memory form of who sees what: no query per socket.
  // Scopes are read again when a batch may change them; delivery stays in commit order.
  const readScopes = (): Promise<Scopes> => {
    const read = loadScopes(deps.store.db);
    // Awaited by the next delivery, which reports a failure; never left unhandled.
    read.catch(() => undefined);
    return read;
  };
  let scopes = readScopes();
  let delivering: Promise<void> = Promise.resolve();
  const deliver = (committed: CommittedBatch, current: Scopes): void => {
    sends.begin(committed);
    const socketsOf = new Map<string, ParleySocket[]>();
    for (const socket of io.of('/').sockets.values()) {
      if (!socket.data.helloDone) continue;
      const sockets = socketsOf.get(socket.data.agentId) ?? [];
      sockets.push(socket);
      socketsOf.set(socket.data.agentId, sockets);
    }
    // Users sent the same cut, from the same point, share one emit.
    const outgoing: { key: string; batch: LiveBatch; socket: ParleySocket }[] = [];
    for (const [agentId, sockets] of socketsOf) {
      const cut = batchFor(current, agentId, committed);
      for (const socket of sockets) {
        const batch = sends.cut(socket, cut.batch, committed.after);
        if (batch !== null) outgoing.push({ key: `${cut.key}@${batch.after}`, batch, socket });
      }
    }
    const emitted = emitBatches(outgoing);
    // From the webhook's arrival to this emit: what a customer's message waits before agents see it.
    if (committed.origin !== undefined && emitted > 0) {
      deps.metrics?.fanoutLatency.observe(
        { channel: committed.origin.channel },
        (performance.now() - committed.origin.receivedAt) / 1000,
      );
    }
  };
  const deliverNow = async (committed: CommittedBatch): Promise<void> => {
    // A read that failed (the database was away) is not the answer for good: read again.
    let current = await scopes.catch(() => {
      scopes = readScopes();
      return scopes;
    });
    if (changesScopes(committed, current)) {
      scopes = readScopes();
      current = await scopes;
    }
    deliver(committed, current);
  };
  const onFanoutError = (error: unknown): void => {
    deps.log.error({ err: error }, 'live batch fan-out failed');
    scopes = readScopes();
  };
  let unlink = (): void => undefined;
  let unsubscribe: () => void;
  const redis = deps.redis;
  if (redis === undefined) {
    // One node: every commit is this node's, delivered from memory in commit order.
    unsubscribe = deps.store.onChanges((committed) => {
      delivering = delivering.then(() => deliverNow(committed)).catch(onFanoutError);
    });
  } else {
    // Several nodes: commits made anywhere, in seq order (see live.ts).
    const sequencer = new LiveSequencer({
      readCommitted: (after, until) => deps.store.readCommitted(after, until),
      committedHead: () => deps.store.committedHead(),
      // A batch that could not be delivered fails the sequencer's pass, which then keeps its
      // place: the next check delivers it from the database, not past it.
      deliver: (committed) => deliverNow(committed),
      onError: onFanoutError,
    });
    unsubscribe = deps.store.onChanges((committed) => {
      announceCommit(redis, committed);
      sequencer.committed(committed);
    });
    unlink = linkLiveFeed(sequencer, redis, onFanoutError);
    sequencer.start().catch(onFanoutError);
  }

  return {
    io,
    endSession: (key) => guard.endSession(key),
    endAgent: (agentId) => guard.endAgent(agentId),
    close: async () => {
      guard.stop();
      clearInterval(quiet);
      unsubscribe();
      unlink();
      peers.close();
      await presence.close();
      // Not io.close(): that also closes the HTTP server, which Fastify owns and closes.
      // A socket the server disconnects hears "io server disconnect"; the client connects
      // again after a short random pause (renderer/src/sync/connection.ts), to whichever
      // node the address leads to then.
      // Only this node's: through the adapter, a plain disconnectSockets reaches every node.
      io.local.disconnectSockets(true);
      io.engine.close();
      // The Streams adapter's own connections (its reader stops after its current read).
      if (redis !== undefined) await Promise.resolve(io.of('/').adapter.close());
      await Promise.resolve();
    },
  };
}
