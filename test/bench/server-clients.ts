/**
 * The agents of the server load benchmark (server.ts), in a process of their own so that
 * their work is not the server's: forked with an IPC channel, driven by the messages below.
 *
 * - `parley`: every user signs in over HTTP, connects a socket.io client (spread over the
 *   nodes' URLs), says hello, and from then on receives `sync:changes` like the app does,
 *   keeping its cursor; after a lost connection it reconnects, says hello again and pulls
 *   from its cursor until it holds everything (`caught up`).
 * - `floor`: plain socket.io clients of a raw server that broadcasts the same payloads.
 *
 * With teams (`teams` > 0), agent i is in team i mod teams, and a message from customer c
 * reaches team c mod teams alone; with none, every agent is an admin and gets every message.
 *
 * Each posted message's text carries `load <tag> <n> <sent at>`, so each client knows which
 * message it got, whether it got it twice, and how long after it was posted.
 */
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { summarize } from './harness.js';

const CommandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('parley'),
    urls: z.array(z.string()).min(1),
    emails: z.array(z.string()),
    password: z.string(),
    protocolVersion: z.number(),
    teams: z.number().int().nonnegative(),
  }),
  z.object({
    type: z.literal('floor'),
    url: z.string(),
    count: z.number().int().positive(),
    teams: z.number().int().nonnegative(),
  }),
  z.object({
    type: z.literal('collect'),
    tag: z.string(),
    acked: z.array(z.number().int().nonnegative()),
    customers: z.number().int().positive(),
  }),
  z.object({ type: z.literal('watch-reconnect') }),
  z.object({ type: z.literal('caught-up') }),
  z.object({ type: z.literal('quiet') }),
  z.object({ type: z.literal('close') }),
]);

const ChangesSchema = z.array(
  z.object({ entity: z.string(), data: z.looseObject({ seq: z.number(), text: z.string().nullish() }) }),
);
const BatchSchema = z.object({ after: z.number(), upTo: z.number(), changes: ChangesSchema });
const PageSchema = z.object({ ok: z.literal(true), cursor: z.number(), hasMore: z.boolean(), changes: ChangesSchema });
const TEXT = /^load (\S+) (\d+) ([\d.]+)$/;
const TIMEOUT_MS = 15_000;

type Client = {
  socket: Socket;
  /** The team whose messages this agent gets, or null for an admin, who gets all of them. */
  team: number | null;
  cursor: number;
  /** Per tag: the numbers of the messages received. */
  seen: Map<string, Set<number>>;
  duplicates: number;
  /** When the client last finished catching up after a reconnection (epoch ms), or null. */
  caughtUpAt: number | null;
  /** The pull under way after a gap, as the app pulls when a batch starts past its cursor. */
  pulling: Promise<void> | null;
  /** A Parley client pulls after a gap; the floor's raw clients have nothing to pull from. */
  pulls: boolean;
};

const clients: Client[] = [];
/** How many teams the agents are in (0: none, every agent an admin). */
let teams = 0;
const teamOf = (index: number): number | null => (teams === 0 ? null : index % teams);
/** Per tag, every delivery's latency in ms. */
const latencies = new Map<string, number[]>();
const now = (): number => performance.timeOrigin + performance.now();
/** When the last live batch arrived (performance.now()). */
let lastBatchAt = 0;

function receive(client: Client, payload: unknown): void {
  const at = now();
  lastBatchAt = performance.now();
  const batch = BatchSchema.safeParse(payload);
  if (!batch.success) return;
  // A batch that starts past the cursor means something was missed (another node's commit
  // not yet told, or more than a live batch holds): the app pulls from its cursor, so do we.
  if (client.pulls && batch.data.after > client.cursor) {
    pullGap(client);
    return;
  }
  record(client, batch.data.changes, at);
  client.cursor = Math.max(client.cursor, batch.data.upTo);
}

/** Counts the load messages among changes past the cursor: each once, with its latency. */
function record(client: Client, changes: z.infer<typeof ChangesSchema>, at: number): void {
  for (const change of changes) {
    // Already counted (a pull and a batch can both hold it); the floor's numbers are its own.
    if (client.pulls && change.data.seq <= client.cursor) continue;
    if (change.entity !== 'message' || typeof change.data.text !== 'string') continue;
    const match = TEXT.exec(change.data.text);
    if (match === null) continue;
    const tag = match[1] ?? '';
    const n = Number(match[2]);
    let seen = client.seen.get(tag);
    if (seen === undefined) client.seen.set(tag, (seen = new Set()));
    if (seen.has(n)) {
      client.duplicates += 1;
      continue;
    }
    seen.add(n);
    let list = latencies.get(tag);
    if (list === undefined) latencies.set(tag, (list = []));
    list.push(at - Number(match[3]));
  }
}

/** One pull at a time per client; a gap seen during one is pulled by the next. */
/** Pulls after a gap since the last `collect`. */
let gapPulls = 0;
function pullGap(client: Client): void {
  gapPulls += 1;
  const previous = client.pulling ?? Promise.resolve();
  const next = previous
    .then(() => catchUp(client))
    .catch((error: unknown) => console.error('pulling after a gap failed:', String(error)))
    .finally(() => {
      if (client.pulling === next) client.pulling = null;
    });
  client.pulling = next;
}

async function signIn(url: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`sign-in of ${email} failed: ${response.status} ${await response.text()}`);
  return z.object({ token: z.string() }).parse(await response.json()).token;
}

async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T, index: number) => Promise<R>) {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => work(item, i + j)))));
  }
  return results;
}

async function hello(client: Client, protocolVersion: number): Promise<void> {
  const welcome: unknown = await client.socket
    .timeout(TIMEOUT_MS)
    .emitWithAck('hello', { protocolVersion, client: 'parley-load-bench' });
  if (!z.object({ ok: z.literal(true) }).safeParse(welcome).success) {
    throw new Error(`hello refused: ${JSON.stringify(welcome)}`);
  }
}

async function catchUp(client: Client): Promise<void> {
  for (;;) {
    const reply: unknown = await client.socket
      .timeout(TIMEOUT_MS)
      .emitWithAck('sync:pull', { cursor: client.cursor, limit: 1000 });
    const page = PageSchema.parse(reply);
    record(client, page.changes, now());
    client.cursor = Math.max(client.cursor, page.cursor);
    if (!page.hasMore) return;
  }
}

let watching = false;

async function startParley(
  command: Extract<z.infer<typeof CommandSchema>, { type: 'parley' }>,
): Promise<{ connected: number; failed: number }> {
  teams = command.teams;
  const urlOf = (index: number): string => command.urls[index % command.urls.length] ?? '';
  const tokens = await inBatches(command.emails, 4, (email, index) => signIn(urlOf(index), email, command.password));
  let failed = 0;
  await inBatches(tokens, 25, async (token, index) => {
    // The desktop app's reconnection: backoff from 1 s to 30 s, with jitter.
    const socket = io(urlOf(index), {
      transports: ['websocket'],
      auth: { token },
      reconnectionDelay: 1000,
      reconnectionDelayMax: 30_000,
      randomizationFactor: 0.5,
    });
    const client: Client = {
      socket,
      team: teamOf(index),
      cursor: 0,
      seen: new Map(),
      duplicates: 0,
      caughtUpAt: null,
      pulling: null,
      pulls: true,
    };
    socket.on('sync:changes', (payload: unknown) => receive(client, payload));
    let step = 'connecting';
    let disconnectedBy = '';
    socket.on('disconnect', (reason) => (disconnectedBy = reason));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (error) => reject(error));
      });
      step = 'saying hello';
      await hello(client, command.protocolVersion);
      // What the app does first: pull up to the head, so live batches follow its cursor.
      step = 'pulling';
      await catchUp(client);
    } catch (error) {
      // Counted, not fatal: an overloaded server or client process is part of what is measured.
      failed += 1;
      const why = disconnectedBy === '' ? '' : ` (disconnected: ${disconnectedBy})`;
      console.error(`an agent could not connect to ${urlOf(index)}, ${step}: ${String(error)}${why}`);
      socket.disconnect();
      return;
    }
    // As the app does (renderer/src/sync/connection.ts): socket.io does not reconnect by
    // itself after the server closed the socket (a node stopping), so try again after a pause.
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect' && watching)
        setTimeout(() => socket.connect(), 1000 + Math.random() * 2000);
    });
    socket.on('connect', () => {
      if (!watching) return;
      hello(client, command.protocolVersion)
        .then(() => catchUp(client))
        .then(
          () => (client.caughtUpAt = now()),
          // The next connection tries again.
          (error: unknown) => console.error('catching up failed:', String(error)),
        );
    });
    clients.push(client);
  });
  return { connected: clients.length, failed };
}

async function startFloor(url: string, count: number, teamCount: number): Promise<number> {
  teams = teamCount;
  await inBatches(Array.from({ length: count }), 25, async (_, index) => {
    const team = teamOf(index);
    const socket = io(url, { transports: ['websocket'], query: { team: String(team) } });
    const client: Client = {
      socket,
      team,
      cursor: 0,
      seen: new Map(),
      duplicates: 0,
      caughtUpAt: null,
      pulling: null,
      pulls: false,
    };
    socket.on('sync:changes', (payload: unknown) => receive(client, payload));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    });
    clients.push(client);
  });
  return clients.length;
}

/**
 * Of the messages acknowledged to the poster, how many each client that should get them
 * got, and more than once. Message n comes from customer n mod `customers`.
 */
function collect(tag: string, acked: readonly number[], customers: number): Record<string, unknown> {
  let delivered = 0;
  let lost = 0;
  let duplicates = 0;
  for (const client of clients) {
    const seen = client.seen.get(tag) ?? new Set<number>();
    for (const n of acked) {
      if (client.team !== null && (n % customers) % teams !== client.team) continue;
      if (seen.has(n)) delivered += 1;
      else lost += 1;
    }
    duplicates += client.duplicates;
    client.duplicates = 0;
  }
  const summary = summarize(latencies.get(tag) ?? []);
  latencies.delete(tag);
  const pulls = gapPulls;
  gapPulls = 0;
  return { clients: clients.length, delivered, lost, duplicates, pulls, latency: summary };
}

const reply = (message: Record<string, unknown>): void => void process.send?.(message);

process.on('message', (message: unknown) => {
  const command = CommandSchema.parse(message);
  const answer = async (): Promise<Record<string, unknown>> => {
    switch (command.type) {
      case 'parley':
        return await startParley(command);
      case 'floor':
        return { connected: await startFloor(command.url, command.count, command.teams) };
      case 'collect':
        return collect(command.tag, command.acked, command.customers);
      case 'watch-reconnect':
        watching = true;
        for (const client of clients) client.caughtUpAt = null;
        return {};
      case 'quiet':
        return { ms: performance.now() - lastBatchAt };
      case 'caught-up':
        return { times: clients.map((client) => client.caughtUpAt) };
      case 'close':
        watching = false;
        for (const client of clients) client.socket.disconnect();
        clients.length = 0;
        return {};
    }
  };
  answer().then(
    (result) => reply({ type: command.type, ...result }),
    (error: unknown) => reply({ type: command.type, error: String(error) }),
  );
});
reply({ type: 'ready' });
