import type { Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  FailureParams,
  FailureReason,
  Message,
  ServerToClientEvents,
} from '@parley/protocol';
import type { ParleyDb } from '../data/db.js';

export type ConnectionState =
  | { kind: 'connecting' }
  /** Lost the connection and trying again (`attempt` counts the tries since). */
  | { kind: 'reconnecting'; attempt: number }
  | { kind: 'catchingUp'; applied: number; head: number }
  | { kind: 'online' }
  | { kind: 'offline' }
  /** The server refused us for a reason retrying will not fix (protocol, session); worded when shown. */
  | ({ kind: 'error' } & EngineFailure);

/** A refusal in codes, as the server sends it (or as the engine builds it): the views word it. */
export type EngineFailure = { code: string; reason?: FailureReason; params?: FailureParams };

export type SyncEngineOptions = {
  db: ParleyDb;
  serverUrl: string;
  /** The desktop app's session token; a browser is signed in by its HttpOnly cookie instead. */
  token: string | null;
  /** The current access token at each (re)connection, renewed after a refresh; `token` when absent. */
  getToken?: () => Promise<string | null>;
  clientName: string;
  pageSize?: number;
  /** The bounds of a new install's first sync; BOOTSTRAP_BOUNDS unless a test narrows them. */
  bootstrap?: BootstrapBounds;
  requestTimeoutMs?: number;
  /** Called when the server says the session is no longer valid. */
  onSignedOut?: (failure: EngineFailure) => void;
  /** Called with anything invalid the server sent, for logs and reports. */
  onInvalidPayload?: (what: string, detail: string) => void;
  /** Called with the customers' messages this device had not seen, once they are stored. */
  onArrivals?: (arrivals: Arrivals) => void;
};

/**
 * Customer messages new to this device: pushed live one batch at a time, or found by a
 * catch-up pull after an absence (which a view sums up instead of announcing each). The
 * first sync of a new install reports none: nothing in it is news.
 */
export type Arrivals = { during: 'live' | 'catchUp'; messages: Message[] };

export type ParleySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The bounds of a new install's first sync, sent on every page of it: every open
 * conversation, closed ones of the last 30 days, the last 50 messages of each. Older
 * messages come with `history:fetch` when the agent scrolls back.
 */
export type BootstrapBounds = { messagesPerConversation: number; closedDays: number };
export const BOOTSTRAP_BOUNDS: BootstrapBounds = { messagesPerConversation: 50, closedDays: 30 };
export const HISTORY_PAGE_SIZE = 50;

export type HistoryResult = { ok: true; added: number; hasMore: boolean } | ({ ok: false } & EngineFailure);

/** What every job of the engine shares: the options, the socket and whether it is ready. */
export type SyncLink = {
  readonly options: SyncEngineOptions;
  readonly db: ParleyDb;
  readonly timeoutMs: number;
  /** The socket while the engine runs (connected or not), null once stopped. */
  socket(): ParleySocket | null;
  /** True once hello and the first pull of this connection are done. */
  ready(): boolean;
  setState(state: ConnectionState): void;
  /** Hands an error to `onInvalidPayload`, for logs and reports. */
  report(what: string, error: unknown): void;
};
