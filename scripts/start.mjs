// `npm start`: builds the app, starts the embedded Parley server with demo data, and opens
// the desktop app, or the same app in the default browser when Electron's binary is not
// installed (or with `npm run web`). Ctrl+C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
const wantWeb = process.argv.includes('--web');
const port = process.env.PORT ?? '8080';
const serverUrl = `http://127.0.0.1:${port}`;

function run(command, args, title) {
  console.log(`▶ ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The path of Electron's binary, or null when it is not installed. */
function electronBinary() {
  try {
    const binary = require('electron');
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

function openInBrowser(url) {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.log(`Open ${url} in your browser.`));
  child.unref();
}

run('npx', ['tsc', '-b', 'protocol', 'server', 'main'], 'building the server and the desktop shell');
run('npm', ['run', '--silent', 'build:preload'], 'bundling the preload');
run('npx', ['vite', 'build', 'renderer', '--logLevel', 'warn'], 'building the app');

let electron = wantWeb ? null : electronBinary();
const skipDownload = ['1', 'true'].includes(process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ?? '');
if (!wantWeb && electron === null && skipDownload) {
  console.log('Electron is not installed and ELECTRON_SKIP_BINARY_DOWNLOAD is set: opening the app in your browser.');
} else if (!wantWeb && electron === null) {
  // Electron's download is not part of `npm install` (package.json denies its install
  // script), so a machine that cannot reach its release host still installs cleanly.
  console.log('▶ fetching the Electron binary (once)');
  const fetched = spawnSync(process.execPath, [require.resolve('electron/install.js')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  electron = fetched.status === 0 ? electronBinary() : null;
  if (electron === null) {
    const reason = (fetched.stderr ?? '').split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
    console.log(`Electron could not be fetched (${reason.trim()}): opening the app in your browser instead.`);
  }
}

const dataDir = process.env.PARLEY_DATA_DIR ?? path.join(root, '.parley-demo');
const children = [];
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// The demo accounts send through a fake Graph API on this machine (test/fake-graph), which
// answers as Meta does and posts signed status webhooks back, so replies go out with no
// Meta account. Both sides sign with the same app secret, made up for this run. Setting
// PARLEY_GRAPH_API_URL yourself skips the fake.
const appSecret = process.env.META_APP_SECRET ?? randomBytes(24).toString('hex');
let graphUrl = process.env.PARLEY_GRAPH_API_URL;
if (graphUrl === undefined) {
  console.log('▶ starting the fake Graph API');
  const fakeGraph = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'test/fake-graph/main.ts'), '--port', process.env.FAKE_GRAPH_PORT ?? '0'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PARLEY_URL: serverUrl, META_APP_SECRET: appSecret },
    },
  );
  children.push(fakeGraph);
  graphUrl = await new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('the fake Graph API did not start within 30 s')), 30_000);
    fakeGraph.stdout.setEncoding('utf8');
    const listen = (chunk) => {
      buffered += chunk;
      const match = /FAKE_GRAPH_URL=(\S+)/.exec(buffered);
      if (match === null) return;
      clearTimeout(timer);
      fakeGraph.stdout.off('data', listen);
      resolve(match[1]);
    };
    fakeGraph.stdout.on('data', listen);
    fakeGraph.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the fake Graph API exited (${code})`));
    });
  }).catch((error) => {
    console.error(`${error.message}: stopping.`);
    stop();
    process.exit(1);
  });
  // Keep draining its output (FAKE_GRAPH_VERBOSE=1 logs every call).
  fakeGraph.stdout.on('data', (chunk) => process.stdout.write(chunk));
}

const server = spawn(process.execPath, [path.join(root, 'server/dist/main.js')], {
  cwd: root,
  stdio: 'inherit',
  env: {
    PARLEY_DEMO: '1',
    ...process.env,
    PORT: port,
    PARLEY_DATA_DIR: dataDir,
    PARLEY_GRAPH_API_URL: graphUrl,
    META_APP_SECRET: appSecret,
  },
});
children.push(server);
server.on('exit', (code) => {
  stop();
  process.exit(code ?? 0);
});

// Wait for the server before opening the app.
for (let attempt = 0; attempt < 100; attempt += 1) {
  const healthy = await fetch(`${serverUrl}/healthz`).then(
    (response) => response.ok,
    () => false,
  );
  if (healthy) break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}

if (electron !== null) {
  const app = spawn(electron, [root], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PARLEY_SERVER_URL: serverUrl },
  });
  children.push(app);
  app.on('exit', stop);
} else {
  console.log(`\nParley is running at ${serverUrl} (demo data; sign in as any demo account). Ctrl+C stops it.\n`);
  openInBrowser(serverUrl);
}
