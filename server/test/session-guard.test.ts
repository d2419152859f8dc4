import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, test } from 'vitest';
import type { Agents } from '../src/modules/agents/index.js';
import { guardSessions, type SessionGuard } from '../src/transport/socket/session-guard.js';

/**
 * The guard checks a socket's session before each request. A session that ended ends the
 * socket; a check the database could not answer refuses the request alone, and the socket
 * stays (ending it would send every client of a busy node to connect again).
 */

const KEY = 'session-1';

type Check = 'alive' | 'ended' | 'failing';

let http: HttpServer | undefined;
let server: Server | undefined;
let guard: SessionGuard | undefined;
let client: ClientSocket | undefined;
const others: ClientSocket[] = [];

afterEach(async () => {
  client?.disconnect();
  for (const other of others.splice(0)) other.disconnect();
  guard?.stop();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : void server.close(() => resolve())));
  http?.close();
});

async function start(state: { check: Check }): Promise<ClientSocket> {
  http = createServer();
  server = new Server(http);
  const agents = {
    sessionForToken: (token: string) => Promise.resolve(token === 'good' ? { agentId: 'agent-1', key: KEY } : null),
    aliveSessions: () =>
      state.check === 'failing'
        ? Promise.reject(new Error('timeout exceeded when trying to connect'))
        : Promise.resolve(new Set(state.check === 'alive' ? [KEY] : [])),
  } as unknown as Agents;
  // Every request checked, none from a cached answer; no sweep during the test.
  guard = guardSessions(server as never, {
    agents,
    log: pino({ level: 'silent' }),
    tokenOf: (socket) => (socket.handshake.auth as { token?: string }).token,
    maxAgeMs: -1,
    sweepMs: 60_000,
  });
  server.on('connection', (socket) => {
    socket.on('ping', (ack: (answer: unknown) => void) => ack('pong'));
  });
  await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  client = connect(`http://127.0.0.1:${port}`, {
    auth: { token: 'good' },
    transports: ['websocket'],
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    client?.once('connect', resolve);
    client?.once('connect_error', reject);
  });
  return client;
}

function ping(socket: ClientSocket): Promise<unknown> {
  return socket.timeout(2_000).emitWithAck('ping');
}

describe('the session guard', () => {
  test('a check the database cannot answer refuses the request, and the socket stays', async () => {
    const state: { check: Check } = { check: 'alive' };
    const socket = await start(state);
    expect(await ping(socket)).toBe('pong');

    state.check = 'failing';
    expect(await ping(socket)).toMatchObject({ ok: false, code: 'internal' });
    expect(socket.connected).toBe(true);

    state.check = 'alive';
    expect(await ping(socket)).toBe('pong');
  });

  test('a session that ended ends its socket', async () => {
    const state: { check: Check } = { check: 'alive' };
    const socket = await start(state);
    expect(await ping(socket)).toBe('pong');

    const reason = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    state.check = 'ended';
    socket.emit('ping', () => undefined);
    expect(await reason).toBe('io server disconnect');
  });

  test('a socket that connects while a sweep reads keeps its session', async () => {
    http = createServer();
    server = new Server(http);
    let sweeps = 0;
    let answer: () => void = () => undefined;
    const agents = {
      sessionForToken: (token: string) => Promise.resolve({ agentId: `agent-${token}`, key: `session-${token}` }),
      // The sweep's read takes its time: the answer comes when the test says.
      aliveSessions: (states: { key: string }[]) => {
        sweeps += 1;
        return new Promise<Set<string>>((resolve) => {
          answer = () => resolve(new Set(states.map((state) => state.key)));
        });
      },
    } as unknown as Agents;
    guard = guardSessions(server as never, {
      agents,
      log: pino({ level: 'silent' }),
      tokenOf: (socket) => (socket.handshake.auth as { token?: string }).token,
      maxAgeMs: 60_000,
      sweepMs: 20,
    });
    server.on('connection', (socket) => {
      socket.on('ping', (ack: (answer: unknown) => void) => ack('pong'));
    });
    await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const open = async (token: string): Promise<ClientSocket> => {
      const socket = connect(`http://127.0.0.1:${port}`, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
      });
      others.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    };

    const first = await open('a');
    await expect.poll(() => sweeps, { timeout: 2_000 }).toBeGreaterThan(0);
    // Connects while the sweep that asked about the first socket's session waits for its answer.
    const second = await open('b');
    answer();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await ping(second)).toBe('pong');
    expect(second.connected).toBe(true);
    expect(await ping(first)).toBe('pong');
  });
});
