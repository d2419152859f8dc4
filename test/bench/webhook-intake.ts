/**
 * Webhook intake on one node: signature check, parse, store and acknowledge, measured
 * from a separate process at a steady 200 messages per second (open loop: requests go out
 * on schedule whether or not earlier ones were answered), then at saturation. The floor is
 * a raw endpoint doing the same essential work (floor-webhook-server.ts), measured the same
 * way in the same run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { signPayload, whatsappTextWebhook } from '@parley/server/testing';
import { fromEnv, printTable, summarize, writeResult, type LatencySummary } from './harness.js';

const SECRET = 'bench-app-secret';
const PHONE_NUMBER_ID = '100000000000001';
const RATE = fromEnv('BENCH_RATE', 200);
const SECONDS = fromEnv('BENCH_SECONDS', 10);
const CONCURRENCY = 32;
const TARGET_P99_MS = 50;

type Target = { name: string; url: string; child: ChildProcess; dataDir: string };

async function launch(name: string, args: string[], env: Record<string, string>): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `parley-bench-${name.replace(/\W/g, '')}-`));
  // The WhatsApp number the benchmark writes to: events for an unknown account are dropped.
  const channelsFile = path.join(dataDir, 'channels.json');
  fs.writeFileSync(
    channelsFile,
    JSON.stringify({
      channels: [
        {
          channel: 'whatsapp',
          externalId: PHONE_NUMBER_ID,
          name: 'Bench',
          accessToken: 'bench-token',
          appSecret: SECRET,
          verifyToken: 'bench-verify',
        },
      ],
    }),
  );
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      ...env,
      PORT: '0',
      PARLEY_DATA_DIR: dataDir,
      PARLEY_CHANNELS_FILE: channelsFile,
      META_APP_SECRET: SECRET,
      // Nothing here may leave the machine: no Graph API calls (there are none for inbound text).
      PARLEY_GRAPH_API_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)|"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(output);
      if (match !== null) resolve(Number(match[1] ?? match[2]));
      // Keep only the tail: the server logs every webhook at the default level.
      if (output.length > 10_000) output = output.slice(-2000);
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${output}`)));
  });
  return { name, url: `http://127.0.0.1:${port}`, child, dataDir };
}

let sequence = 0;
function nextBody(): string {
  sequence += 1;
  return JSON.stringify(
    whatsappTextWebhook({
      phoneNumberId: PHONE_NUMBER_ID,
      from: `4477009${String(sequence % 200).padStart(5, '0')}`,
      name: `Customer ${sequence % 200}`,
      id: `wamid.BENCH${process.pid}x${sequence}`,
      text: `Benchmark message ${sequence}: is my order on its way?`,
      timestampSeconds: Math.floor(Date.now() / 1000),
    }),
  );
}

async function post(url: string): Promise<number> {
  const body = nextBody();
  const started = performance.now();
  const response = await fetch(`${url}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(body, SECRET) },
    body,
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`answered ${response.status}`);
  return performance.now() - started;
}

async function steady(url: string): Promise<LatencySummary & { achievedPerSecond: number }> {
  const total = RATE * SECONDS;
  const latencies: number[] = [];
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(post(url).then((ms) => void latencies.push(ms)));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  return { ...summarize(latencies), achievedPerSecond: total / elapsed };
}

async function saturate(url: string): Promise<number> {
  let done = 0;
  const until = performance.now() + 5000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await post(url);
        done += 1;
      }
    }),
  );
  return done / 5;
}

let posted = 0;

async function measure(target: Target): Promise<Record<string, number | string>> {
  const before = sequence;
  for (let i = 0; i < 200; i += 1) await post(target.url); // warm up
  const steadyResult = await steady(target.url);
  const maxPerSecond = await saturate(target.url);
  posted = sequence - before;
  return {
    endpoint: target.name,
    rate: RATE,
    requests: steadyResult.count,
    p50_ms: steadyResult.p50,
    p95_ms: steadyResult.p95,
    p99_ms: steadyResult.p99,
    max_ms: steadyResult.max,
    max_per_s: maxPerSecond,
  };
}

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const floor = await launch('raw floor', ['--import', 'tsx', path.join(root, 'test/bench/floor-webhook-server.ts')], {});
const parley = await launch('parley', [path.join(root, 'server/dist/main.js')], {});
try {
  const floorRow = await measure({ ...floor, name: 'raw floor' });
  const parleyRow = await measure({ ...parley, name: 'parley' });
  // A benchmark of an endpoint that stored nothing would measure nothing: count the rows.
  const db = new SQLite(path.join(parley.dataDir, 'parley.sqlite'), { readonly: true });
  const stored = (db.prepare('select count(*) as n from messages').get() as { n: number }).n;
  db.close();
  if (stored !== posted) throw new Error(`Parley acknowledged ${posted} webhooks but stored ${stored} messages.`);
  parleyRow['stored'] = stored;
  const ratio = Number(parleyRow['p99_ms']) / Number(floorRow['p99_ms']);
  const verdict = Number(parleyRow['p99_ms']) <= TARGET_P99_MS;
  printTable(`Webhook intake, one node, ${RATE} msg/s for ${SECONDS} s, then saturation (${CONCURRENCY} in flight)`, [
    floorRow,
    parleyRow,
  ]);
  console.log(
    `p99 ${Number(parleyRow['p99_ms']).toFixed(1)} ms (target ≤ ${TARGET_P99_MS} ms: ${verdict ? 'met' : 'NOT met'}); ` +
      `${ratio.toFixed(2)}× the raw floor's p99; all ${stored} acknowledged messages were stored.`,
  );
  const file = writeResult('webhook-intake', {
    rows: [floorRow, parleyRow],
    p99RatioToFloor: ratio,
    targetP99Ms: TARGET_P99_MS,
    met: verdict,
  });
  console.log(`Written to ${file}`);
} finally {
  for (const target of [floor, parley]) {
    target.child.kill('SIGTERM');
    fs.rmSync(target.dataDir, { recursive: true, force: true });
  }
}
