import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  ConnectErrorDataSchema,
  FailureSchema,
  PROTOCOL_VERSION,
  SESSION_COOKIE,
  WelcomeSchema,
  type Agent,
} from '@parley/protocol';
import {
  connectError,
  connectSocket,
  disconnected,
  pullChanges,
  sayHello,
  signIn,
  startTestServer,
  type TestServer,
} from './helpers.js';
import { until } from './team-support.js';

/** Newer clients, and an older one once there is an older version to be. */
const OTHER_VERSIONS = [
  PROTOCOL_VERSION + 1,
  PROTOCOL_VERSION + 10,
  ...(PROTOCOL_VERSION > 1 ? [PROTOCOL_VERSION - 1] : []),
];

let server: TestServer;
let token: string;
let agent: Agent;

beforeEach(async () => {
  server = await startTestServer();
  ({ token, agent } = await signIn(server));
});

afterEach(async () => {
  await server.cleanup();
});

describe('socket authentication', () => {
  test('no token → connect_error with data.code "unauthorized"', async () => {
    const error = await connectError(server);
    expect(ConnectErrorDataSchema.parse(error.data)).toEqual({ code: 'unauthorized', reason: 'session_missing' });
    expect(error.message.length).toBeGreaterThan(0);
  });

  test('a bad token → connect_error with data.code "unauthorized"', async () => {
    const error = await connectError(server, { token: 'this-is-not-a-session' });
    expect(ConnectErrorDataSchema.parse(error.data)).toEqual({ code: 'unauthorized', reason: 'session_ended' });
  });

  test('the session cookie is accepted in place of a token', async () => {
    const socket = await connectSocket(server, { cookie: `${SESSION_COOKIE}=${token}` });
    const welcome = WelcomeSchema.parse(await sayHello(socket));
    expect(welcome.agent.id).toBe(agent.id);
  });
});

describe('hello', () => {
  test('the current protocol version → ok, the agent and the head', async () => {
    const socket = await connectSocket(server, { token });
    // Connecting makes the agent Online, a change of its own: wait for it, so the head holds still.
    await until(async () => (await server.agents.agentById(agent.id))?.presence === 'online', 'Online');
    const reply = await sayHello(socket);
    const welcome = WelcomeSchema.parse(reply);
    expect(welcome.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(welcome.agent).toEqual({
      ...agent,
      presence: 'online',
      presenceAt: expect.any(Number) as number,
      seq: expect.any(Number) as number,
    });
    expect(welcome.agent).toEqual(await server.agents.agentById(agent.id));
    expect(welcome.head).toBe(await server.store.head());
    expect(welcome.head).toBeGreaterThan(0);
  });

  test.each(OTHER_VERSIONS)(
    'protocol version %i → protocol_mismatch naming both versions, then the socket is closed',
    async (version) => {
      const socket = await connectSocket(server, { token });
      const closed = disconnected(socket);
      const reply = await sayHello(socket, { protocolVersion: version, client: 'parley-desktop/9.9.9 (test)' });
      const failure = FailureSchema.parse(reply);
      expect(failure.code).toBe('protocol_mismatch');
      expect(failure.reason).toBe('protocol_version_unsupported');
      expect(failure.params).toEqual({ clientVersion: version, serverVersion: PROTOCOL_VERSION });
      expect(await closed).toBe('io server disconnect');
    },
  );

  test('a malformed hello → bad_request, and the socket stays usable', async () => {
    const socket = await connectSocket(server, { token });
    const reply = await sayHello(socket, { protocolVersion: 0, client: 'x' });
    expect(FailureSchema.parse(reply).code).toBe('bad_request');
    const welcome = await sayHello(socket);
    expect(welcome.ok).toBe(true);
  });
});

describe('sync:pull guards', () => {
  test('before hello → handshake_required', async () => {
    const socket = await connectSocket(server, { token });
    const reply = await pullChanges(socket, { cursor: 0 });
    const failure = FailureSchema.parse(reply);
    expect(failure.code).toBe('handshake_required');
  });

  test.each([{ cursor: -1 }, { cursor: 1.5 }, { cursor: 0, limit: 0 }, { cursor: 0, limit: 5000 }])(
    'a malformed pull %j → bad_request',
    async (request) => {
      const socket = await connectSocket(server, { token });
      expect((await sayHello(socket)).ok).toBe(true);
      const reply = await pullChanges(socket, request);
      const failure = FailureSchema.parse(reply);
      expect(failure.code).toBe('bad_request');
      expect(failure).toMatchObject({ reason: 'malformed', params: { request: 'pull' } });
      // The socket still answers a well-formed pull afterwards.
      const page = await pullChanges(socket, { cursor: 0 });
      expect(page.ok).toBe(true);
    },
  );
});
