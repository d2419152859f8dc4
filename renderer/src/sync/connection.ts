import { io } from 'socket.io-client';
import {
  ConnectErrorDataSchema,
  HelloReplySchema,
  LiveBatchSchema,
  PROTOCOL_VERSION,
  SOCKET_AUTH_TOKEN,
  type FailureParams,
  type FailureReason,
  type LiveBatch,
} from '@parley/protocol';
import type { ParleyDb } from '../data/db.js';
import { describeError } from '../common/errors.js';
import { refreshSession } from '../platform/http.js';
import { type ConnectionState, type ParleySocket, type SyncEngineOptions, type SyncLink } from './link.js';

/** What the other jobs do at each step of a connection. */
export type ConnectionSteps = {
  /** After hello: bring the cache up to date, before the engine counts as ready. */
  catchUp: () => Promise<void>;
  /** Once ready: apply the live batches that waited for it. */
  resume: () => Promise<void>;
  /** Once online: send and fetch what waited for the connection. */
  online: () => Promise<void>;
  /** A live batch the server pushed, validated. */
  batch: (batch: LiveBatch) => void;
  /** Who else views or types in a conversation (validated by the receiver); dropped on disconnect. */
  peers?: (payload: unknown) => void;
  disconnected?: () => void;
};

/**
 * The socket and the state of the connection: connects, says hello, reconnects with
 * backoff, and tells listeners. The other jobs share it as their SyncLink.
 */
export class Connection implements SyncLink {
  readonly db: ParleyDb;
  readonly timeoutMs: number;
  private current: ParleySocket | null = null;
  private state: ConnectionState = { kind: 'connecting' };
  private readonly listeners = new Set<() => void>();
  private isReady = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** A refused handshake renews the session once before it counts as signed out. */
  private refreshed = false;

  constructor(
    readonly options: SyncEngineOptions,
    private readonly steps: ConnectionSteps,
  ) {
    this.db = options.db;
    this.timeoutMs = options.requestTimeoutMs ?? 15_000;
  }

  socket(): ParleySocket | null {
    return this.current;
  }

  ready(): boolean {
    return this.isReady;
  }

  getState(): ConnectionState {
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  report(what: string, error: unknown): void {
    this.options.onInvalidPayload?.(what, describeError(error));
  }

  /** Opens the socket; false when it is already open. */
  start(): boolean {
    if (this.current !== null) return false;
    // Asked at each (re)connection, so a reconnect carries the freshest access token.
    const auth = (callback: (data: Record<string, string>) => void): void => {
      const current = this.options.getToken?.() ?? Promise.resolve(this.options.token);
      void current.then(
        (token) => callback(token === null ? {} : { [SOCKET_AUTH_TOKEN]: token }),
        () => callback({}),
      );
    };
    const socket: ParleySocket = io(this.options.serverUrl, {
      auth,
      withCredentials: true,
      transports: ['websocket'],
      // Backoff with jitter, so a server coming back is not hit by every client at once.
      reconnectionDelay: 1000,
      reconnectionDelayMax: 30_000,
      randomizationFactor: 0.5,
    });
    this.current = socket;

    socket.on('connect', () => {
      this.refreshed = false;
      this.isReady = false;
      this.setState({ kind: 'connecting' });
      void this.handshake(socket);
    });
    socket.on('disconnect', (reason) => {
      this.isReady = false;
      this.steps.disconnected?.();
      if (this.state.kind === 'error') return;
      this.setState({ kind: 'offline' });
      // socket.io does not reconnect by itself when the server closed the socket (a server
      // draining its connections, or a sign-out elsewhere). Try again after a pause: an ended
      // session is then refused by the handshake, and reported as such.
      if (reason === 'io server disconnect') {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => socket.connect(), 1000 + Math.random() * 2000);
      }
    });
    // socket.io's manager retries with backoff and jitter: reconnecting from the first try
    // until one succeeds, unless the device itself says it has no network.
    socket.io.on('reconnect_attempt', (attempt) => {
      if (this.state.kind === 'error') return;
      const deviceOffline = typeof navigator !== 'undefined' && navigator.onLine === false;
      this.setState(deviceOffline ? { kind: 'offline' } : { kind: 'reconnecting', attempt });
    });
    socket.on('connect_error', (error: Error & { data?: unknown }) => {
      const data = ConnectErrorDataSchema.safeParse(error.data);
      if (data.success && data.data.code === 'unauthorized') {
        socket.disconnect();
        if (data.data.reason === 'session_ended' && !this.refreshed) {
          this.refreshed = true;
          void refreshSession(this.options.serverUrl).then((renewed) => {
            if (renewed) socket.connect();
            else this.signedOut(data.data);
          });
          return;
        }
        this.signedOut(data.data);
        return;
      }
      if (this.state.kind !== 'error' && this.state.kind !== 'reconnecting') this.setState({ kind: 'offline' });
    });
    socket.on('sync:changes', (payload) => {
      const batch = LiveBatchSchema.safeParse(payload);
      if (!batch.success) {
        this.options.onInvalidPayload?.('sync:changes', batch.error.message);
        return;
      }
      this.steps.batch(batch.data);
    });
    socket.on('conversation:peers', (payload) => this.steps.peers?.(payload));
    return true;
  }

  /** The server refused the session: stop, and tell the app to ask for a sign-in. */
  private signedOut(data: { reason?: FailureReason | undefined; params?: FailureParams | undefined }): void {
    const { reason, params } = data;
    const refused = {
      code: 'unauthorized',
      ...(reason === undefined ? {} : { reason }),
      ...(params === undefined ? {} : { params }),
    };
    this.setState({ kind: 'error', ...refused });
    this.options.onSignedOut?.(refused);
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.current?.removeAllListeners();
    this.current?.disconnect();
    this.current = null;
    this.isReady = false;
    this.setState({ kind: 'offline' });
  }

  private async handshake(socket: ParleySocket): Promise<void> {
    try {
      const reply: unknown = await socket
        .timeout(this.timeoutMs)
        .emitWithAck('hello', { protocolVersion: PROTOCOL_VERSION, client: this.options.clientName });
      const welcome = HelloReplySchema.safeParse(reply);
      if (!welcome.success) {
        this.options.onInvalidPayload?.('hello', welcome.error.message);
        socket.disconnect();
        this.setState({ kind: 'error', code: 'bad_request', reason: 'bad_reply' });
        return;
      }
      if (!welcome.data.ok) {
        // Retrying cannot fix a refused hello (another protocol version, a deleted account).
        socket.disconnect();
        const { code, reason, params } = welcome.data;
        this.setState({
          kind: 'error',
          code,
          ...(reason === undefined ? {} : { reason }),
          ...(params === undefined ? {} : { params }),
        });
        return;
      }
      await this.steps.catchUp();
      this.isReady = true;
      await this.steps.resume();
      if (socket.connected) this.setState({ kind: 'online' });
      await this.steps.online();
    } catch {
      // A timeout, a refused pull or a dropped socket. Start again from the cursor after a
      // jittered pause; socket.io's own backoff covers the case where the socket dropped.
      if (socket.connected) {
        socket.disconnect();
        this.setState({ kind: 'offline' });
        this.retryTimer = setTimeout(() => socket.connect(), 1000 + Math.random() * 4000);
      }
    }
  }
}
