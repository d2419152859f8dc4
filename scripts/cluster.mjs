// `node scripts/cluster.mjs`: Parley as compose.yaml runs it, from local processes, for
// machines where containers cannot run. A throwaway PostgreSQL cluster and a Redis, both on
// 127.0.0.1 in a temporary folder; two Parley nodes sharing them and one media folder; and
// nginx in front, configured from deploy/nginx.conf.template like the compose proxy. Prints
// the proxy's URL once every part is ready; Ctrl+C or SIGTERM stops them all, nginx first and
// the database last, and removes the folder.
//
//   node scripts/cluster.mjs [--port 8080] [--demo] [--no-build]
//
//   --port N    the proxy's port on 127.0.0.1 (0: any free one); PostgreSQL, Redis and the
//               nodes take free ports
//   --demo      the demo accounts and customers (PARLEY_DEMO), replies answered by the fake
//               Graph API as with `npm start`
//   --no-build  use the server and web builds as they are (`npm run build` made them)
//
// Needs Debian's postgresql, redis-server and nginx. As root, PostgreSQL runs as the
// `postgres` user (it refuses root), and Redis and nginx as `nobody`.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './free-port.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
/** How long any part may take to become ready, and to stop before it is killed. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const ROLE = 'parley';
const DATABASE = 'parley';
const NODE_COUNT = 2;

const USAGE = 'Usage: node scripts/cluster.mjs [--port 8080] [--demo] [--no-build]';

function parseArguments(argv) {
  const options = { port: 8080, demo: false, build: true };
  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i];
    if (argument === '--demo') options.demo = true;
    else if (argument === '--no-build') options.build = false;
    else if (argument === '--port') {
      const port = Number(argv[(i += 1)]);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port needs a port number.\n${USAGE}`);
      options.port = port;
    } else if (argument === '--help' || argument === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`Unknown argument: ${argument}\n${USAGE}`);
  }
  return options;
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------
// What this machine has

/** Debian's PostgreSQL binaries (the newest under /usr/lib/postgresql), else those on the PATH. */
function postgresBin() {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((name) => fs.existsSync(path.join(base, name, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] !== undefined) return path.join(base, versions[0], 'bin');
  const found = spawnSync('which', ['postgres'], { encoding: 'utf8' });
  if (found.status === 0) return path.dirname(fs.realpathSync(found.stdout.trim()));
  return null;
}

function findBinary(candidates) {
  return candidates.find((file) => fs.existsSync(file)) ?? null;
}

/** The uid and gid of a system user, or null when there is none. */
function userIds(name) {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** Whether nothing listens on 127.0.0.1:`port` yet. */
function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// ---------------------------------------------------------------------------------------
// Processes

/** Every process started, in the order started; each leads its own process group. */
const parts = [];
let stopping = null;

/**
 * Starts a part in its own process group, so Ctrl+C at the terminal reaches this script
 * alone, which then stops the parts in order. Each line it prints is prefixed with its name.
 */
function launch(name, command, args, options = {}) {
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(options.owner === undefined || options.owner === null ? {} : options.owner),
  });
  const part = {
    name,
    child,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  parts.push(part);
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        options.onLine?.(line);
        out.write(`[${name}] ${line}\n`);
      }
    });
  }
  child.once('error', (error) => {
    console.error(`[${name}] could not start: ${error.message}`);
    void stopAll(1);
  });
  void part.exited.then(({ code, signal }) => {
    if (stopping !== null) return;
    console.error(`[${name}] exited unexpectedly (${signal ?? `code ${code}`}): stopping the cluster.`);
    void stopAll(1);
  });
  return part;
}

/** Stops one part: `signal` first, SIGKILL to its whole group past the timeout. */
async function stopPart(part, signal) {
  if (part.child.pid === undefined) return;
  if (part.child.exitCode !== null || part.child.signalCode !== null) {
    killGroup(part);
    return;
  }
  try {
    part.child.kill(signal);
  } catch {
    // Already gone.
  }
  const timer = setTimeout(() => killGroup(part), STOP_TIMEOUT_MS);
  await part.exited;
  clearTimeout(timer);
  // What it started and left behind (nginx's workers, PostgreSQL's backends) goes with it.
  killGroup(part);
}

function killGroup(part) {
  if (part.child.pid === undefined) return;
  try {
    process.kill(-part.child.pid, 'SIGKILL');
  } catch {
    // The group is empty.
  }
}

let workDir = null;

/**
 * Stops everything, the proxy first (no new requests), then the nodes (they drain), then what
 * they stand on; removes the temporary folder and exits with `code`.
 */
function stopAll(code) {
  stopping ??= (async () => {
    const byName = (prefix) => parts.filter((part) => part.name.startsWith(prefix));
    // nginx: SIGTERM is its fast stop; a graceful one would wait for every open WebSocket.
    await Promise.all(byName('nginx').map((part) => stopPart(part, 'SIGTERM')));
    await Promise.all([...byName('node-'), ...byName('fake-graph')].map((part) => stopPart(part, 'SIGTERM')));
    // PostgreSQL: SIGINT is its fast shutdown; Redis keeps nothing.
    await Promise.all([
      ...byName('redis').map((part) => stopPart(part, 'SIGTERM')),
      ...byName('postgres').map((part) => stopPart(part, 'SIGINT')),
    ]);
    if (workDir !== null) fs.rmSync(workDir, { recursive: true, force: true });
    console.log(code === 0 ? 'Parley cluster stopped.' : 'Parley cluster stopped after a failure.');
    process.exit(code);
  })();
  return stopping;
}

let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    signals += 1;
    if (signals === 1) {
      console.log(`\n${signal}: stopping the cluster (again to kill it at once).`);
      void stopAll(0);
      return;
    }
    for (const part of parts) killGroup(part);
    if (workDir !== null) fs.rmSync(workDir, { recursive: true, force: true });
    process.exit(1);
  });
}

/** Calls `check` until it resolves true, or fails with `what` past the start timeout. */
async function waitFor(what, check, part = null) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (stopping !== null) await new Promise(() => undefined);
    if (part !== null && part.child.exitCode !== null) throw new Error(`${part.name} exited while starting`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${START_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function answersReady(url) {
  const response = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.status === 200;
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------
// The parts

async function startPostgres(bin, dir, port, owner) {
  const data = path.join(dir, 'data');
  // initdb and the server refuse to run as root: as root, both run as `postgres`.
  await run(
    path.join(bin, 'initdb'),
    ['-D', data, '-U', ROLE, '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync'],
    {
      cwd: dir,
      ...(owner ?? {}),
    },
  ).catch((error) => {
    throw new Error(`initdb failed:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`);
  });
  const part = launch(
    'postgres',
    path.join(bin, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-k',
      dir,
      // A throwaway cluster: nothing in it has to survive a crash.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    { cwd: dir, owner },
  );
  const isReady = path.join(bin, 'pg_isready');
  await waitFor(
    'PostgreSQL',
    () => run(isReady, ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', ROLE, '-d', 'postgres']).then(() => true),
    part,
  );
  await run(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', ROLE, DATABASE]);
  return `postgres://${ROLE}@127.0.0.1:${port}/${DATABASE}`;
}

async function startRedis(binary, dir, port, owner) {
  const part = launch(
    'redis',
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { cwd: dir, owner },
  );
  await waitFor('Redis', () => portOpen(port), part);
  return `redis://127.0.0.1:${port}`;
}

/** The fake Graph API of `npm start`: the demo's replies go there, and it answers as Meta does. */
async function startFakeGraph(proxyUrl, appSecret) {
  let url = null;
  const part = launch('fake-graph', process.execPath, ['--import', 'tsx', 'test/fake-graph/main.ts', '--port', '0'], {
    env: { ...process.env, PARLEY_URL: proxyUrl, META_APP_SECRET: appSecret },
    onLine: (line) => {
      const match = /FAKE_GRAPH_URL=(\S+)/.exec(line);
      if (match !== null) url = match[1];
    },
  });
  await waitFor('The fake Graph API', () => Promise.resolve(url !== null), part);
  return url;
}

async function startNode(index, port, env) {
  const url = `http://127.0.0.1:${port}`;
  const part = launch(`node-${index}`, process.execPath, [path.join(root, 'server/dist/main.js')], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', PARLEY_DATA_DIR: path.join(workDir, `node-${index}`) },
  });
  await waitFor(`Parley node ${index}`, () => answersReady(url), part);
  return url;
}

/** The compose proxy's configuration inside a whole nginx.conf that runs unprivileged from `dir`. */
function nginxConfig(dir, values) {
  const template = fs.readFileSync(path.join(root, 'deploy/nginx.conf.template'), 'utf8');
  const site = template.replace(/\$\{(PARLEY_[A-Z0-9_]+)\}/g, (_whole, name) => {
    if (!(name in values)) throw new Error(`deploy/nginx.conf.template uses \${${name}}, which nothing fills in`);
    return values[name];
  });
  fs.writeFileSync(path.join(dir, 'parley.conf'), site);
  const temp = (name) => path.join(dir, name);
  return [
    'daemon off;',
    'worker_processes 1;',
    `pid ${temp('nginx.pid')};`,
    'error_log stderr warn;',
    'events { worker_connections 1024; }',
    'http {',
    '    access_log off;',
    `    client_body_temp_path ${temp('client_body')};`,
    `    proxy_temp_path ${temp('proxy')};`,
    `    fastcgi_temp_path ${temp('fastcgi')};`,
    `    uwsgi_temp_path ${temp('uwsgi')};`,
    `    scgi_temp_path ${temp('scgi')};`,
    `    include ${temp('parley.conf')};`,
    '}',
    '',
  ].join('\n');
}

async function startNginx(binary, dir, proxyPort, nodeUrls, owner) {
  const values = {
    PARLEY_PROXY_LISTEN: `127.0.0.1:${proxyPort}`,
    PARLEY_NODE_1: new URL(nodeUrls[0]).host,
    PARLEY_NODE_2: new URL(nodeUrls[1]).host,
  };
  const config = path.join(dir, 'nginx.conf');
  fs.writeFileSync(config, nginxConfig(dir, values));
  const part = launch('nginx', binary, ['-e', 'stderr', '-p', dir, '-c', config], { cwd: dir, owner });
  const url = `http://127.0.0.1:${proxyPort}`;
  await waitFor('nginx', () => answersReady(url), part);
  return url;
}

// ---------------------------------------------------------------------------------------

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const bin = postgresBin();
  const redisBinary = findBinary(['/usr/bin/redis-server', '/usr/local/bin/redis-server']);
  const nginxBinary = findBinary(['/usr/sbin/nginx', '/usr/local/sbin/nginx']);
  const missing = [
    ...(bin === null ? ['postgresql'] : []),
    ...(redisBinary === null ? ['redis-server'] : []),
    ...(nginxBinary === null ? ['nginx'] : []),
  ];
  if (missing.length > 0) fail(`The cluster needs ${missing.join(', ')}: sudo apt-get install -y ${missing.join(' ')}`);

  if (options.build) {
    console.log('▶ building the server');
    if (spawnSync('npx', ['tsc', '-b', 'protocol', 'server'], { cwd: root, stdio: 'inherit' }).status !== 0) {
      fail('The build failed.');
    }
    if (!fs.existsSync(path.join(root, 'renderer/dist/index.html'))) {
      console.log('▶ building the web app');
      if (
        spawnSync('npx', ['vite', 'build', 'renderer', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
          .status !== 0
      ) {
        fail('The build of the web app failed.');
      }
    }
  }
  if (!fs.existsSync(path.join(root, 'server/dist/main.js'))) fail('The server is not built: npm run build');

  if (options.port !== 0 && !(await portFree(options.port))) {
    fail(`Port ${options.port} is taken: choose another with --port, or --port 0 for any free one.`);
  }

  // As root, the database runs as `postgres` and the rest of what comes from Debian as
  // `nobody`, each in a folder of its own that it owns.
  const asRoot = process.getuid?.() === 0;
  const postgresOwner = asRoot ? userIds('postgres') : null;
  if (asRoot && postgresOwner === null)
    fail('As root, PostgreSQL runs as the `postgres` user: apt-get install postgresql');
  const nobody = asRoot ? userIds('nobody') : null;

  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cluster-'));
  // Other users may pass through to their own folders, and list nothing.
  fs.chmodSync(workDir, 0o711);
  const folder = (name, owner) => {
    const dir = path.join(workDir, name);
    fs.mkdirSync(dir, { mode: 0o700 });
    if (owner !== null) fs.chownSync(dir, owner.uid, owner.gid);
    return dir;
  };

  const proxyPort = options.port === 0 ? await freePort() : options.port;
  const proxyUrl = `http://127.0.0.1:${proxyPort}`;
  const [postgresPort, redisPort, ...nodePorts] = await Promise.all(
    Array.from({ length: 2 + NODE_COUNT }, () => freePort()),
  );
  const appSecret = process.env.META_APP_SECRET ?? randomBytes(24).toString('hex');
  const wantFakeGraph = options.demo && process.env.PARLEY_GRAPH_API_URL === undefined;

  const [databaseUrl, redisUrl, graphUrl] = await Promise.all([
    startPostgres(bin, folder('postgres', postgresOwner), postgresPort, postgresOwner),
    startRedis(redisBinary, folder('redis', nobody), redisPort, nobody),
    wantFakeGraph ? startFakeGraph(proxyUrl, appSecret) : Promise.resolve(undefined),
  ]);
  const media = folder('media', null);

  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    // The proxy on loopback forwards each client's address.
    PARLEY_TRUST_PROXY: process.env.PARLEY_TRUST_PROXY ?? '127.0.0.1',
    // Every node reads the files any of them copied.
    PARLEY_MEDIA_DIR: media,
    // One key for every node: each reads the channel secrets the others sealed.
    PARLEY_SECRET_KEY: process.env.PARLEY_SECRET_KEY ?? randomBytes(32).toString('base64'),
    PARLEY_PUBLIC_URL: process.env.PARLEY_PUBLIC_URL ?? proxyUrl,
    ...(process.stdout.isTTY && process.env.PARLEY_LOG_FORMAT === undefined ? { PARLEY_LOG_FORMAT: 'pretty' } : {}),
    ...(options.demo
      ? {
          PARLEY_DEMO: '1',
          META_APP_SECRET: appSecret,
          // Each node plays customers: together, as often as one node of `npm start`.
          PARLEY_SIMULATOR_INTERVAL_MS: process.env.PARLEY_SIMULATOR_INTERVAL_MS ?? String(6000 * NODE_COUNT),
          ...(graphUrl === undefined ? {} : { PARLEY_GRAPH_API_URL: graphUrl }),
        }
      : {}),
  };
  // One after the other: the first migrates the database (and seeds the demo) alone.
  const nodeUrls = [];
  for (const [index, port] of nodePorts.entries()) nodeUrls.push(await startNode(index + 1, port, env));
  await startNginx(nginxBinary, folder('nginx', nobody), proxyPort, nodeUrls, nobody);

  console.log(`\nParley cluster ready: ${proxyUrl}`);
  console.log(`  nodes       ${nodeUrls.join('  ')}`);
  console.log(`  PostgreSQL  ${databaseUrl}`);
  console.log(`  Redis       ${redisUrl}`);
  console.log(`  files       ${workDir}`);
  if (options.demo) console.log('  demo        sign in as any demo account listed on the sign-in screen');
  console.log('Ctrl+C stops everything.\n');
}

main().catch((error) => {
  if (stopping !== null) return;
  console.error(`The cluster could not start: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
