/**
 * Drives `scripts/cluster.mjs` as a person does: starts it as a process, waits for the line
 * that prints the proxy's URL, and stops it with SIGTERM. It needs the server built (`tsc -b`,
 * as the test command does first) and Debian's postgresql, redis-server and nginx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HelloReplySchema, PROTOCOL_VERSION, ServerInfoSchema } from '@parley/protocol';
import { io } from 'socket.io-client';
import { Agents } from '../../src/modules/agents/index.js';
import { openDatabase } from '../../src/platform/database.js';
import { Store } from '../../src/platform/store.js';
import type { ClientSocket } from '../helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCRIPT = path.join(ROOT, 'scripts/cluster.mjs');
/** How long the script may take to print its ready line, and to stop. */
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;
const EVENT_TIMEOUT_MS = 5_000;

export type RunningCluster = {
  child: ChildProcess;
  proxyUrl: string;
  nodeUrls: string[];
  /** The nodes' PostgreSQL database. */
  databaseUrl: string;
  /** The script's temporary folder (the database, Redis, nginx's files, media). */
  workDir: string;
  /** Everything the script printed so far, both streams. */
  output: () => string;
  /** SIGTERM, then the script's exit code and signal. */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

export async function startClusterScript(
  options: { demo?: boolean; env?: Record<string, string> } = {},
): Promise<RunningCluster> {
  if (!fs.existsSync(path.join(ROOT, 'server/dist/main.js'))) {
    throw new Error('scripts/cluster.mjs runs the built server: run `npx tsc -b` first');
  }
  const args = [SCRIPT, '--port', '0', '--no-build', ...(options.demo === true ? ['--demo'] : [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PARLEY_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const stop = async (): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const ready = /^Parley cluster ready: (\S+)$/m.exec(output);
    const nodes = /^ {2}nodes +(.+)$/m.exec(output);
    const database = /^ {2}PostgreSQL +(\S+)$/m.exec(output);
    const files = /^ {2}files +(\S+)$/m.exec(output);
    if (
      ready?.[1] !== undefined &&
      nodes?.[1] !== undefined &&
      database?.[1] !== undefined &&
      files?.[1] !== undefined
    ) {
      return {
        child,
        proxyUrl: ready[1],
        nodeUrls: nodes[1].trim().split(/\s+/),
        databaseUrl: database[1],
        workDir: files[1],
        output: () => output,
        stop,
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`scripts/cluster.mjs did not get ready; it printed:\n${output.slice(-6_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Creates an agent straight in the cluster's database, and signs in as them through `url`. */
export const CLUSTER_AGENT = { email: 'cluster@example.com', name: 'Cluster Agent', password: 'correct horse battery' };

export async function signInNewAgent(url: string, databaseUrl: string): Promise<string> {
  const account = CLUSTER_AGENT;
  const db = await openDatabase(os.tmpdir(), { databaseUrl });
  try {
    await new Agents(new Store(db), 1).createAgent({ ...account, role: 'agent' });
  } finally {
    await db.destroy();
  }
  return signIn(url, account.email, account.password);
}

async function signIn(url: string, email: string, password: string): Promise<string> {
  const response = await fetch(new URL('/api/auth/login', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { token: string };
  return body.token;
}

/** Signs in through `url` as the first demo account of `role` the server lists. */
export async function signInDemo(url: string, role: 'admin' | 'agent'): Promise<string> {
  const info = ServerInfoSchema.parse(await (await fetch(new URL('/api/info', url))).json());
  const account = info.demoAccounts?.find((candidate) => candidate.role === role);
  if (account === undefined) throw new Error(`the server lists no demo ${role}`);
  return signIn(url, account.email, account.password);
}

/** A socket.io connection over WebSocket alone, as the apps open it, once it has said hello. */
export async function connectAndGreet(
  url: string,
  token: string,
): Promise<{ socket: ClientSocket; head: number; email: string }> {
  const socket: ClientSocket = io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the socket did not connect in time')), EVENT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const reply = HelloReplySchema.parse(
      await socket
        .timeout(EVENT_TIMEOUT_MS)
        .emitWithAck('hello', { protocolVersion: PROTOCOL_VERSION, client: 'parley-cluster-test' }),
    );
    if (!reply.ok) throw new Error(`hello refused: ${reply.code}`);
    return { socket, head: reply.head, email: reply.agent.email };
  } catch (error) {
    socket.disconnect();
    throw error;
  }
}

/** A process: its id and its start time, so a later process given the same id is not taken for it. */
export type ProcessIdentity = { pid: number; started: string };

function statOf(pid: number): { ppid: number; state: string; started: string } | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name, in parentheses, may hold spaces: the fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, ppid] = [fields[0] ?? '', Number(fields[1])];
  return { ppid, state, started: fields[19] ?? '' };
}

/** Every process below `root` now: children, grandchildren (PostgreSQL's backends, nginx's workers)... */
export function descendantsOf(root: number): ProcessIdentity[] {
  const children = new Map<number, number[]>();
  const started = new Map<number, string>();
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = statOf(pid);
    if (stat === null) continue;
    started.set(pid, stat.started);
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const found: ProcessIdentity[] = [];
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    found.push({ pid, started: started.get(pid) ?? '' });
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Whether that very process still runs (a zombie, dead and waiting to be reaped, does not). */
export function stillRunning(process: ProcessIdentity): boolean {
  const stat = statOf(process.pid);
  return stat !== null && stat.started === process.started && stat.state !== 'Z';
}
