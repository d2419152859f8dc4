import type { Hello, Welcome } from './handshake.js';
import type { Failure, Result } from './errors.js';
import type { HistoryPage, HistoryRequest, LiveBatch, PullPage, PullRequest } from './sync.js';
import type { ConversationPeers, Mutation, MutationResult, SetPresence, Typing, Viewing } from './mutations.js';

/** Events a client emits; each request carries an acknowledgement callback. */
export type ClientToServerEvents = {
  hello: (hello: Hello, ack: (result: Welcome | Failure) => void) => void;
  'sync:pull': (request: PullRequest, ack: (result: Result<PullPage>) => void) => void;
  'history:fetch': (request: HistoryRequest, ack: (result: Result<HistoryPage>) => void) => void;
  mutate: (mutation: Mutation, ack: (result: MutationResult) => void) => void;
  typing: (typing: Typing) => void;
  /** The thread on screen changed; best effort, like typing. */
  'conversation:view': (viewing: Viewing) => void;
  'presence:set': (presence: SetPresence, ack: (result: Result) => void) => void;
};

/** Events the server pushes. */
export type ServerToClientEvents = {
  'sync:changes': (batch: LiveBatch) => void;
  /** Who else views or types in a conversation this user can see, whenever that changes. */
  'conversation:peers': (peers: ConversationPeers) => void;
};

export type SocketData = {
  agentId: string;
  helloDone: boolean;
};

/** The name of the socket.io handshake field that carries the session token. */
export const SOCKET_AUTH_TOKEN = 'token';
