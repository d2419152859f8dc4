/**
 * Server load (`npm run bench -- server`), on loopback, bounded in time. The server runs as
 * its own process (server-node.ts, so its CPU and memory are measured alone), the M agents in
 * another (server-clients.ts: sign in, connect, hello, receive `sync:changes`), and this
 * process posts signed WhatsApp webhooks at a steady N per second (open loop), each message
 * carrying a number and its send time in its text. Measured: webhook acknowledgement latency;
 * webhook-to-client delivery (p50, p99, max); lost and duplicated deliveries; the server's
 * CPU and memory; and, as the floor, a raw socket.io server broadcasting the same payloads to
 * M raw clients at the same rate, in the same run.
 *
 * Rows: one node on SQLite; two nodes on PostgreSQL through Redis (clients and webhooks spread
 * over both); one node killed and restarted with M agents connected (time until 99% are
 * reconnected and caught up); M idle sockets (server heap per socket, after a full GC).
 *
 * The agents work as a support floor does: in BENCH_TEAMS teams (default 25, so 20 agents a
 * team at M = 500), each team answering its own WhatsApp number, and the 200 customers spread
 * over the numbers. A message reaches the agents of its team, as in the app; the floor's raw
 * clients join a room a team and each batch is broadcast to its team's room. BENCH_TEAMS=0
 * makes every agent an admin instead, so every message reaches every agent (M deliveries a
 * webhook: a stress shape, past what the floor itself delivers in time on two cores).
 *
 * Environment: BENCH_RATE (N, default 200), BENCH_AGENTS (M, default 500), BENCH_SECONDS
 * (load per row, default 15, at most 30), BENCH_TEAMS (above), BENCH_CLUSTER=0 to leave out
 * the two-node row (it needs PostgreSQL and redis-server installed), BENCH_PROFILE=<folder>
 * for CPU profiles of the server processes (the restarted node is then stopped with SIGTERM,
 * not killed). Writes bench-results/server.json and docs/benchmarks.md.
 */
import { execFileSync, fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { z } from 'zod';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { signPayload, whatsappTextWebhook } from '@parley/server/testing';
import { freePort } from '../../scripts/free-port.mjs';
import { fromEnv, printTable, summarize, writeResult, type LatencySummary, type Row } from './harness.js';

const RATE = fromEnv('BENCH_RATE', 200);
const AGENTS = fromEnv('BENCH_AGENTS', 500);
const SECONDS = Math.min(30, fromEnv('BENCH_SECONDS', 15));
const CLUSTER = process.env['BENCH_CLUSTER'] !== '0';
const TEAMS = fromEnv('BENCH_TEAMS', 25);
if (!Number.isInteger(TEAMS) || TEAMS < 0 || TEAMS > AGENTS) {
  throw new Error('BENCH_TEAMS is a whole number from 0 to M');
}
/** The customers who write, each to one number; customer c writes to number c mod (the numbers). */
const CUSTOMERS = 200;
/** A folder for CPU profiles of the server processes (written when they stop), or null. */
const PROFILE = process.env['BENCH_PROFILE'] === undefined ? null : path.resolve(process.env['BENCH_PROFILE']);
const SECRET = 'bench-app-secret';
/** The WhatsApp numbers, a team each (one, answered by admins, when BENCH_TEAMS=0). */
const PHONE_NUMBER_IDS = Array.from(
  { length: Math.max(1, TEAMS) },
  (_, k) => `1000000000${String(k).padStart(5, '0')}`,
);
const PASSWORD = 'bench password 1234';
/** After the last acknowledgement, how long deliveries may still arrive before counting. */
const SETTLE_MS = 10_000;
/** A webhook not acknowledged within this is counted as unacknowledged (and not waited for). */
const ACK_TIMEOUT_MS = 10_000;

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../..');
const started = performance.now();
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- processes

const StatsSchema = z.object({
  type: z.literal('stats'),
  cpu: z.object({ user: z.number(), system: z.number() }),
  memory: z.object({ rss: z.number(), heapUsed: z.number() }),
  at: z.number(),
});
type Stats = z.infer<typeof StatsSchema>;

function nextMessage(child: ChildProcess, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      const parsed = z.looseObject({ type: z.string(), error: z.string().optional() }).safeParse(message);
      if (!parsed.success || parsed.data.type !== type) return;
      cleanup();
      if (parsed.data.error !== undefined) reject(new Error(parsed.data.error));
      else resolve(parsed.data);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`process exited with ${code} while waiting for ${type}`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

type Node = { child: ChildProcess; url: string };

async function startNode(env: Record<string, string>): Promise<Node> {
  const child = fork(path.join(here, 'server-node.ts'), [], {
    execArgv: [
      '--expose-gc',
      '--import',
      'tsx',
      ...(PROFILE === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`]),
    ],
    env: { ...process.env, ...env },
    // Its log lines (one a webhook at the default level) are written, as in production, and dropped.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await nextMessage(child, 'ready');
  return { child, url: z.string().parse(ready['url']) };
}

async function stats(node: Node, gc = false): Promise<Stats> {
  const reply = nextMessage(node.child, 'stats');
  node.child.send({ type: 'stats', gc });
  return StatsSchema.parse(await reply);
}

async function stopNode(node: Node, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (node.child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => node.child.once('exit', () => resolve()));
  node.child.kill(signal);
  await exited;
}

const clients = fork(path.join(here, 'server-clients.ts'), [], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
await nextMessage(clients, 'ready');
async function ask(command: Record<string, unknown> & { type: string }): Promise<Record<string, unknown>> {
  const reply = nextMessage(clients, command.type);
  clients.send(command);
  return reply;
}

function nodeEnv(dataDir: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  const channelsFile = path.join(dataDir, 'channels.json');
  fs.writeFileSync(
    channelsFile,
    JSON.stringify({
      channels: PHONE_NUMBER_IDS.map((externalId, k) => ({
        channel: 'whatsapp',
        externalId,
        name: `Bench ${k}`,
        accessToken: 'bench-token',
        appSecret: SECRET,
        verifyToken: 'bench-verify',
      })),
    }),
  );
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    PARLEY_DATA_DIR: dataDir,
    PARLEY_WEB_DIR: path.join(dataDir, 'no-web'),
    PARLEY_CHANNELS_FILE: channelsFile,
    META_APP_SECRET: SECRET,
    META_VERIFY_TOKEN: 'bench-verify',
    // Nothing leaves the machine: inbound text makes no Graph API call, and this port is closed.
    PARLEY_GRAPH_API_URL: 'http://127.0.0.1:9',
    PARLEY_LOG_FORMAT: 'json',
    BENCH_PASSWORD: PASSWORD,
    BENCH_TEAMS: String(TEAMS),
    ...extra,
  };
}

// ---------------------------------------------------------------- load

const emails = Array.from({ length: AGENTS }, (_, i) => `user${i}@bench.example`);

function webhookBody(tag: string, n: number): string {
  const customer = n % CUSTOMERS;
  return JSON.stringify(
    whatsappTextWebhook({
      phoneNumberId: PHONE_NUMBER_IDS[customer % PHONE_NUMBER_IDS.length] ?? '',
      from: `4477010${String(customer).padStart(5, '0')}`,
      name: `Customer ${customer}`,
      id: `wamid.LOAD${tag}x${n}`,
      text: `load ${tag} ${n} ${now().toFixed(3)}`,
      timestampSeconds: Math.floor(Date.now() / 1000),
    }),
  );
}

async function post(url: string, tag: string, n: number): Promise<number> {
  const body = webhookBody(tag, n);
  const at = performance.now();
  const response = await fetch(`${url}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(body, SECRET) },
    body,
    // A server that falls behind is not waited for forever: the bench stays bounded in time.
    signal: AbortSignal.timeout(ACK_TIMEOUT_MS),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
  return performance.now() - at;
}

/**
 * Calls `send(n)` at RATE per second for SECONDS, on schedule whether or not earlier ones
 * finished (open loop). Returns the acknowledgement latencies and the numbers acknowledged;
 * a send that failed or timed out is counted as unacknowledged.
 */
async function steady(
  send: (n: number) => Promise<number | null>,
): Promise<{ acks: number[]; acked: number[]; sent: number; unacknowledged: number }> {
  const total = RATE * SECONDS;
  const acks: number[] = [];
  const acked: number[] = [];
  let unacknowledged = 0;
  const pending: Promise<void>[] = [];
  const begin = performance.now();
  for (let n = 0; n < total; n += 1) {
    const wait = begin + (n * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      send(n).then(
        (ms) => {
          acked.push(n);
          if (ms !== null) acks.push(ms);
        },
        () => void (unacknowledged += 1),
      ),
    );
  }
  await Promise.all(pending);
  return { acks, acked, sent: total, unacknowledged };
}

type Delivery = {
  clients: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Pulls the agents made after a batch that did not follow on from their cursor. */
  pulls: number;
  latency: LatencySummary;
};
const DeliverySchema = z.object({
  clients: z.number(),
  delivered: z.number(),
  lost: z.number(),
  duplicates: z.number(),
  pulls: z.number(),
  latency: z.object({ count: z.number(), p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() }),
});

/** What the clients got of the acknowledged messages `acked` (each must reach every agent who sees it). */
async function collect(tag: string, acked: number[]): Promise<Delivery> {
  // Deliveries still on their way are waited for: until none has come for a second, at most SETTLE_MS.
  const until = performance.now() + SETTLE_MS;
  for (;;) {
    await sleep(250);
    const quietMs = z.number().parse((await ask({ type: 'quiet' }))['ms']);
    if (quietMs >= 1000 || performance.now() > until) break;
  }
  return DeliverySchema.parse(await ask({ type: 'collect', tag, acked, customers: CUSTOMERS }));
}

type ServerUse = { cpuPercent: number; peakRssMb: number; heapMb: number };

/** Samples the nodes once a second while `work` runs: CPU over the whole span, the highest RSS. */
async function sampled<T>(nodes: Node[], work: () => Promise<T>): Promise<{ result: T; use: ServerUse[] }> {
  const first = await Promise.all(nodes.map((node) => stats(node)));
  const peaks = first.map((s) => s.memory.rss);
  let running = true;
  const sampler = (async () => {
    while (running) {
      await sleep(1000);
      const all = await Promise.all(nodes.map((node) => stats(node)));
      all.forEach((s, i) => (peaks[i] = Math.max(peaks[i] ?? 0, s.memory.rss)));
    }
  })();
  const result = await work();
  running = false;
  await sampler;
  const last = await Promise.all(nodes.map((node) => stats(node)));
  const use = last.map((s, i) => {
    const before = first[i] ?? s;
    const cpuMs = (s.cpu.user + s.cpu.system - before.cpu.user - before.cpu.system) / 1000;
    return {
      cpuPercent: (100 * cpuMs) / (s.at - before.at),
      peakRssMb: Math.max(peaks[i] ?? 0, s.memory.rss) / 2 ** 20,
      heapMb: s.memory.heapUsed / 2 ** 20,
    };
  });
  return { result, use };
}

// ---------------------------------------------------------------- rows

const loadBefore = os.loadavg();
const results: Record<string, unknown> = {};

// The floor: a raw socket.io server broadcasting a live batch of the same shape to M raw clients.
async function floorRow(): Promise<{ delivery: Delivery }> {
  const http = createServer();
  const floor = new Server(http, { serveClient: false });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  // A raw client says its team in its handshake and joins that team's room.
  floor.on('connection', (socket) => void socket.join(`team:${String(socket.handshake.query['team'])}`));
  await ask({ type: 'floor', url: `http://127.0.0.1:${port}`, count: AGENTS, teams: TEAMS });
  const broadcast = (n: number): Promise<number | null> => {
    const at = new Date().toISOString();
    const to = TEAMS === 0 ? floor : floor.to(`team:${(n % CUSTOMERS) % TEAMS}`);
    to.emit('sync:changes', {
      after: n,
      upTo: n + 2,
      changes: [
        {
          entity: 'message',
          data: {
            id: `floor-message-${n}`,
            seq: n + 1,
            conversationId: `floor-conversation-${n % CUSTOMERS}`,
            direction: 'in',
            text: `load floor ${n} ${now().toFixed(3)}`,
            status: 'received',
            externalId: `wamid.LOADfloorx${n}`,
            attachments: [],
            createdAt: at,
          },
        },
        {
          entity: 'conversation',
          data: {
            id: `floor-conversation-${n % CUSTOMERS}`,
            seq: n + 2,
            status: 'open',
            unreadCount: 1,
            lastMessageAt: at,
            lastMessagePreview: `load floor ${n}`,
          },
        },
      ],
    });
    return Promise.resolve(null);
  };
  const { acked } = await steady(broadcast);
  const delivery = await collect('floor', acked);
  await ask({ type: 'close' });
  await floor.close();
  return { delivery };
}

async function sqliteRows(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-load-'));
  const port = await freePort();
  const env = nodeEnv(dataDir, port);
  let node = await startNode({ ...env, BENCH_CREATE_USERS: String(AGENTS) });
  try {
    const before = await stats(node, true);
    const joined = await ask({
      type: 'parley',
      urls: [node.url],
      emails,
      password: PASSWORD,
      protocolVersion: PROTOCOL_VERSION,
      teams: TEAMS,
    });
    await sleep(1000);
    const idle = await stats(node, true);
    const heapPerSocketKb = (idle.memory.heapUsed - before.memory.heapUsed) / AGENTS / 1024;

    for (let n = 0; n < 50; n += 1) await post(node.url, 'warm', n);
    await collect('warm', []);
    const { result, use } = await sampled([node], () => steady((n) => post(node.url, 'sqlite', n)));
    const delivery = await collect('sqlite', result.acked);

    // Restart: killed with M agents connected, started again on the same port and data.
    await ask({ type: 'watch-reconnect' });
    const killedAt = now();
    // A profile is written only by a process that exits: then the node is stopped, not killed.
    await stopNode(node, PROFILE === null ? 'SIGKILL' : 'SIGTERM');
    node = await startNode(env);
    const restartedMs = now() - killedAt;
    let caughtUp: number[] = [];
    const deadline = performance.now() + 15_000;
    while (performance.now() < deadline) {
      await sleep(250);
      const times = z.array(z.number().nullable()).parse((await ask({ type: 'caught-up' }))['times']);
      caughtUp = times.filter((t): t is number => t !== null).map((t) => t - killedAt);
      if (caughtUp.length >= Math.ceil(AGENTS * 0.99)) break;
    }
    caughtUp.sort((a, b) => a - b);
    const reconnect = {
      restartedMs,
      reconnected: caughtUp.length,
      p50Ms: caughtUp[Math.ceil(AGENTS * 0.5) - 1] ?? NaN,
      p99Ms: caughtUp.length >= Math.ceil(AGENTS * 0.99) ? (caughtUp[Math.ceil(AGENTS * 0.99) - 1] ?? NaN) : NaN,
    };
    await ask({ type: 'close' });
    return {
      connected: z.number().parse(joined['connected']),
      acks: summarize(result.acks),
      unacknowledged: result.unacknowledged,
      delivery,
      use: use[0],
      idle: {
        heapBeforeMb: before.memory.heapUsed / 2 ** 20,
        heapAfterMb: idle.memory.heapUsed / 2 ** 20,
        heapPerSocketKb,
      },
      reconnect,
    };
  } finally {
    await stopNode(node);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A throwaway PostgreSQL cluster (as the `postgres` user when run as root) and a Redis. */
async function clusterRow(): Promise<Record<string, unknown>> {
  const versions = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').sort() : [];
  const bin = path.join('/usr/lib/postgresql', versions.at(-1) ?? '', 'bin');
  if (!fs.existsSync(path.join(bin, 'pg_ctl'))) throw new Error('PostgreSQL is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, id('-u'), id('-g'));
  }
  const run = (command: string, args: string[]): void => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  };
  const data = path.join(dir, 'data');
  const pgPort = await freePort();
  run(path.join(bin, 'initdb'), ['-D', data, '-U', 'parley', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${pgPort} -c listen_addresses='127.0.0.1' -k ${dir} -c max_connections=200`;
  run(path.join(bin, 'pg_ctl'), ['start', '-w', '-D', data, '-l', path.join(dir, 'postgres.log'), '-o', options]);
  run(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'parley', 'parley']);
  const redisPort = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const dirs = [
    fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-a-')),
    fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-b-')),
  ];
  const shared = {
    DATABASE_URL: `postgres://parley@127.0.0.1:${pgPort}/parley`,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  };
  const nodes: Node[] = [];
  try {
    // The first node migrates and makes the users; the second joins it.
    nodes.push(
      await startNode({ ...nodeEnv(dirs[0] ?? '', await freePort(), shared), BENCH_CREATE_USERS: String(AGENTS) }),
    );
    nodes.push(await startNode(nodeEnv(dirs[1] ?? '', await freePort(), shared)));
    const urls = nodes.map((node) => node.url);
    const joined = await ask({
      type: 'parley',
      urls,
      emails,
      password: PASSWORD,
      protocolVersion: PROTOCOL_VERSION,
      teams: TEAMS,
    });
    for (let n = 0; n < 50; n += 1) await post(urls[n % 2] ?? '', 'warmpg', n);
    await collect('warmpg', []);
    const { result, use } = await sampled(nodes, () => steady((n) => post(urls[n % 2] ?? '', 'cluster', n)));
    const delivery = await collect('cluster', result.acked);
    await ask({ type: 'close' });
    return {
      connected: z.number().parse(joined['connected']),
      acks: summarize(result.acks),
      unacknowledged: result.unacknowledged,
      delivery,
      use,
    };
  } finally {
    for (const node of nodes) await stopNode(node);
    redis.kill('SIGTERM');
    run(path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate']);
    for (const folder of [dir, ...dirs]) fs.rmSync(folder, { recursive: true, force: true });
  }
}

console.log(
  `Server load: N = ${RATE}/s, M = ${AGENTS} in ${TEAMS === 0 ? 'no teams (admins)' : `${TEAMS} teams`}, ${SECONDS} s a row (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')})`,
);
const floor = await floorRow();
results['floor'] = floor;
const sqlite = await sqliteRows();
results['sqlite'] = sqlite;
let cluster: Record<string, unknown> | { error: string } | null = null;
if (CLUSTER) {
  try {
    cluster = await clusterRow();
  } catch (error) {
    cluster = { error: String(error) };
    console.error('two-node row failed:', error);
  }
  results['cluster'] = cluster;
}
await ask({ type: 'close' });
clients.kill('SIGTERM');
const loadAfter = os.loadavg();

// ---------------------------------------------------------------- report

const floorDelivery = floor.delivery;
const sq = sqlite as {
  connected: number;
  acks: LatencySummary;
  unacknowledged: number;
  delivery: Delivery;
  use: ServerUse;
  idle: { heapPerSocketKb: number };
  reconnect: { p50Ms: number; p99Ms: number; reconnected: number; restartedMs: number };
};
type Measure = { measure: string; value: number; floor: number | string; target: string; pass: boolean | string };
const measures: Measure[] = [];
const add = (measure: string, value: number, floorValue: number | null, target: string, pass: boolean | null): void =>
  void measures.push({ measure, value, floor: floorValue ?? '', target, pass: pass ?? '' });
add('SQLite, 1 node: agents connected', sq.connected, floorDelivery.clients, String(AGENTS), sq.connected === AGENTS);
add('SQLite, 1 node: webhook ack p50 (ms)', sq.acks.p50, null, '', null);
add('SQLite, 1 node: webhook ack p99 (ms)', sq.acks.p99, null, '≤ 50', sq.acks.p99 <= 50);
add(`SQLite, 1 node: webhooks not acknowledged within ${ACK_TIMEOUT_MS / 1000} s`, sq.unacknowledged, null, '', null);
add(
  'SQLite, 1 node: delivery p50 (ms)',
  sq.delivery.latency.p50,
  floorDelivery.latency.p50,
  '≤ 30',
  sq.delivery.latency.p50 <= 30,
);
add(
  'SQLite, 1 node: delivery p99 (ms)',
  sq.delivery.latency.p99,
  floorDelivery.latency.p99,
  '≤ 120',
  sq.delivery.latency.p99 <= 120,
);
add('SQLite, 1 node: delivery max (ms)', sq.delivery.latency.max, floorDelivery.latency.max, '', null);
add('SQLite, 1 node: lost', sq.delivery.lost, floorDelivery.lost, '0', sq.delivery.lost === 0);
add('SQLite, 1 node: duplicated', sq.delivery.duplicates, floorDelivery.duplicates, '0', sq.delivery.duplicates === 0);
add('SQLite, 1 node: agents pulling after a gap', sq.delivery.pulls, null, '', null);
add('SQLite, 1 node: server CPU (% of one core)', sq.use.cpuPercent, null, '', null);
add('SQLite, 1 node: server peak RSS (MB)', sq.use.peakRssMb, null, '', null);
if (cluster !== null && !('error' in cluster)) {
  const cl = cluster as {
    connected: number;
    acks: LatencySummary;
    unacknowledged: number;
    delivery: Delivery;
    use: ServerUse[];
  };
  add(
    'PostgreSQL + Redis, 2 nodes: agents connected',
    cl.connected,
    floorDelivery.clients,
    String(AGENTS),
    cl.connected === AGENTS,
  );
  add('PostgreSQL + Redis, 2 nodes: webhook ack p99 (ms)', cl.acks.p99, null, '', null);
  add(
    `PostgreSQL + Redis, 2 nodes: not acknowledged within ${ACK_TIMEOUT_MS / 1000} s`,
    cl.unacknowledged,
    null,
    '',
    null,
  );
  add('PostgreSQL + Redis, 2 nodes: delivery p50 (ms)', cl.delivery.latency.p50, floorDelivery.latency.p50, '', null);
  add(
    'PostgreSQL + Redis, 2 nodes: delivery p99 (ms)',
    cl.delivery.latency.p99,
    floorDelivery.latency.p99,
    '≤ 200',
    cl.delivery.latency.p99 <= 200,
  );
  add('PostgreSQL + Redis, 2 nodes: delivery max (ms)', cl.delivery.latency.max, floorDelivery.latency.max, '', null);
  add('PostgreSQL + Redis, 2 nodes: lost', cl.delivery.lost, floorDelivery.lost, '0', cl.delivery.lost === 0);
  add(
    'PostgreSQL + Redis, 2 nodes: duplicated',
    cl.delivery.duplicates,
    floorDelivery.duplicates,
    '0',
    cl.delivery.duplicates === 0,
  );
  cl.use.forEach((use, i) => {
    add(`PostgreSQL + Redis, node ${i + 1}: CPU (% of one core)`, use.cpuPercent, null, '', null);
    add(`PostgreSQL + Redis, node ${i + 1}: peak RSS (MB)`, use.peakRssMb, null, '', null);
  });
} else if (cluster !== null) {
  add(`PostgreSQL + Redis, 2 nodes: not measured (${String(cluster.error)})`, NaN, null, '≤ 200', false);
}
add('Restart: server back up (ms after kill)', sq.reconnect.restartedMs, null, '', null);
add('Restart: agents caught up within 15 s', sq.reconnect.reconnected, null, '', null);
add('Restart: half reconnected and caught up (ms after kill)', sq.reconnect.p50Ms, null, '', null);
add(
  'Restart: 99% reconnected and caught up (ms after kill)',
  sq.reconnect.p99Ms,
  null,
  '≤ 10000',
  sq.reconnect.p99Ms <= 10_000,
);
add(
  `Idle: server heap per socket, ${AGENTS} sockets (KB)`,
  sq.idle.heapPerSocketKb,
  null,
  '≤ 100',
  sq.idle.heapPerSocketKb <= 100,
);

const tableRows: Row[] = measures.map((m) => ({
  measure: m.measure,
  value: Number.isFinite(m.value) ? Number(m.value.toFixed(1)) : 'n/a',
  floor: typeof m.floor === 'number' ? Number(m.floor.toFixed(1)) : m.floor,
  ratio:
    typeof m.floor === 'number' && m.floor > 0 && Number.isFinite(m.value)
      ? Number((m.value / m.floor).toFixed(2))
      : '',
  target: m.target,
  pass: m.pass === '' ? '' : m.pass ? 'yes' : 'NO',
}));
const load = (l: number[]): string => l.map((v) => v.toFixed(2)).join(' / ');
const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGb: os.totalmem() / 2 ** 30,
  node: process.version,
  platform: `${os.type()} ${os.release()}`,
};
printTable(
  `Server load, N = ${RATE}/s, M = ${AGENTS}, ${SECONDS} s a row (load average ${load(loadBefore)} → ${load(loadAfter)})`,
  tableRows,
);
const file = writeResult('server', {
  rate: RATE,
  agents: AGENTS,
  teams: TEAMS,
  seconds: SECONDS,
  machine,
  loadAverage: { before: loadBefore, after: loadAfter },
  measures,
  raw: results,
  elapsedSeconds: (performance.now() - started) / 1000,
});
console.log(`wrote ${file}`);

const section = [
  '## Server load (`npm run bench -- server`)',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine.cpus} × ${machine.cpuModel}, ` +
    `${machine.memoryGb.toFixed(1)} GB RAM, ${machine.platform}, Node ${machine.node}; the machine is shared, ` +
    `load average (1, 5, 15 min) ${load(loadBefore)} before and ${load(loadAfter)} after.`,
  '',
  `N = ${RATE} signed WhatsApp webhooks a second, M = ${AGENTS} agents connected, ` +
    (TEAMS === 0
      ? 'each an admin, so every message reaches every agent'
      : `in ${TEAMS} teams of ${Math.round(AGENTS / TEAMS)}, each team answering its own WhatsApp number, so a ` +
        `message reaches its team's ${Math.round(AGENTS / TEAMS)} agents`) +
    `, ${SECONDS} s of load a row. The server, the agents and the poster are three ` +
    'processes on loopback. Delivery is from the webhook being posted to an agent holding the message; the floor ' +
    'is a raw socket.io server broadcasting a batch of the same shape, at the same rate, to M raw clients ' +
    (TEAMS === 0 ? '(all of them).' : 'in a room a team (to the room of its team).'),
  '',
  '| measure | value | floor | ratio | target | pass |',
  '| --- | --- | --- | --- | --- | --- |',
  ...tableRows.map(
    (row) =>
      `| ${[row['measure'], row['value'], row['floor'], row['ratio'], row['target'], row['pass']].join(' | ')} |`,
  ),
  '',
  'Lost counts the deliveries, to agents connected at the time, of the messages Parley acknowledged. In the ' +
    'two-node row, a server whose nodes do not pass live batches to each other loses about half: those of the ' +
    'agents on the other node. The restart time includes the benchmark starting the node (Node with the tsx loader).',
  '',
  'Raw numbers: `bench-results/server.json`. Change the load with BENCH_RATE, BENCH_AGENTS, BENCH_TEAMS ' +
    '(0: every agent an admin) and BENCH_SECONDS; BENCH_CLUSTER=0 leaves out the two-node row.',
  '',
].join('\n');
// This section is replaced; whatever else the file holds is kept.
const docsFile = path.join(root, 'docs/benchmarks.md');
const existing = fs.existsSync(docsFile) ? fs.readFileSync(docsFile, 'utf8') : '# Benchmarks\n\n';
const start = existing.indexOf('## Server load');
const end = start < 0 ? -1 : existing.indexOf('\n## ', start + 1);
const markdown =
  start < 0
    ? `${existing.trimEnd()}\n\n${section}`
    : `${existing.slice(0, start)}${section}${end < 0 ? '' : existing.slice(end + 1)}`;
fs.mkdirSync(path.dirname(docsFile), { recursive: true });
fs.writeFileSync(docsFile, markdown);
console.log('wrote docs/benchmarks.md');
process.exit(0);
