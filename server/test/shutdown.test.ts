import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import {
  APP_SECRET,
  connectReady,
  postWebhook,
  signIn,
  startServerProcess,
  startTestServer,
  whatsappMessage,
  whatsappValue,
  whatsappWebhook,
} from './helpers.js';
import { signPayload } from '../src/modules/channels/signature.js';
import { readStored } from './support/database.js';

/**
 * Stopping gracefully: a webhook under way is stored and acknowledged, new work is refused,
 * sockets are told to go, and the server closes; past the timeout, the webhook is answered
 * 503 and Meta's retry stores the rest, each message once.
 */

function webhookOf(count: number, prefix: string): string {
  const messages = Array.from({ length: count }, (_, index) =>
    whatsappMessage({
      from: `4477001${String(index % 40).padStart(5, '0')}`,
      id: `wamid.${prefix}${index}`,
      timestampSeconds: 1_700_000_000 + index,
      text: `Message ${index}`,
    }),
  );
  return JSON.stringify(whatsappWebhook([[{ value: whatsappValue({ messages }) }]]));
}

/**
 * Counts the stored messages of a closed server, reading its database directly: the engine
 * under test for a test server, the SQLite file for the server process started on its own.
 */
async function storedMessages(
  dataDir: string,
  prefix: string,
  engine: 'under test' | 'sqlite' = 'under test',
): Promise<{ rows: number; ids: number }> {
  if (!/^[A-Z]+$/.test(prefix)) throw new Error(`Not a message prefix: ${prefix}`);
  const query = `select count(*) as rows, count(distinct external_id) as ids from messages where external_id like 'wamid.${prefix}%'`;
  type Counts = { rows: number | string; ids: number | string };
  const [counts] = engine === 'sqlite' ? readSqlite<Counts>(dataDir, query) : await readStored<Counts>(dataDir, query);
  // PostgreSQL's driver answers a count as a string.
  return { rows: Number(counts?.rows ?? 0), ids: Number(counts?.ids ?? 0) };
}

function readSqlite<T>(dataDir: string, query: string): T[] {
  const sqlite = new SQLite(path.join(dataDir, 'parley.sqlite'), { readonly: true });
  try {
    return sqlite.prepare(query).all() as T[];
  } finally {
    sqlite.close();
  }
}

/** Waits, however long a loaded machine takes, until the webhook's first transaction has committed. */
async function firstSliceStored(server: { store: { head(): Promise<number> } }, headBefore: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await server.store.head()) === headBefore) {
    if (Date.now() > deadline) throw new Error('the webhook stored nothing in 120 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A request refused: the connection is (503 while draining, or no longer accepted). */
async function refused(url: string, init?: RequestInit): Promise<boolean> {
  try {
    const response = await fetch(url, init);
    await response.arrayBuffer();
    return response.status === 503;
  } catch {
    return true;
  }
}

describe('graceful shutdown', () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  }, 180_000);

  test('a webhook under way is stored and answered 200; new requests are refused; sockets are told; the server closes', async () => {
    const server = await startTestServer({ shutdownTimeoutMs: 120_000, shutdownDelayMs: 3_000 });
    cleanups.push(() => server.cleanup());
    const { token } = await signIn(server);
    const { socket } = await connectReady(server, token);
    const headBefore = await server.store.head();
    // Heard whenever it comes: the webhook under way is answered first.
    const gone = new Promise<string>((resolve) => socket.once('disconnect', resolve));

    const body = webhookOf(3_000, 'DRAIN');
    const answered = postWebhook(server, 'whatsapp', body).then(async (response) => ({
      status: response.status,
      text: await response.text(),
    }));
    // The webhook is being stored (its first transaction committed) when the stop comes.
    await firstSliceStored(server, headBefore);
    const closing = server.shutdown();

    // Draining: not ready, and new webhooks and API calls are refused with 503.
    const ready = await fetch(new URL('/readyz', server.url));
    expect(ready.status).toBe(503);
    const readiness = (await ready.json()) as { failed: string[] };
    expect(readiness.failed).toContain('shutdown');
    const another = await postWebhook(server, 'whatsapp', webhookOf(1, 'LATE'));
    expect(another.status).toBe(503);
    expect(another.headers.get('connection')).toBe('close');
    // Liveness still answers: the process is fine, only leaving.
    expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);

    const result = await answered;
    expect(result.status, result.text).toBe(200);
    expect(result.text).toBe('EVENT_RECEIVED');
    // The sockets were told to go: the client reconnects on "io server disconnect".
    expect(await gone).toBe('io server disconnect');
    await closing;
    // Once closed, nothing answers.
    expect(await refused(new URL('/healthz', server.url).href)).toBe(true);
    // Every message of the webhook answered 200 is stored, once; the refused one is not.
    expect(await storedMessages(server.dataDir, 'DRAIN')).toEqual({ rows: 3_000, ids: 3_000 });
    expect(await storedMessages(server.dataDir, 'LATE')).toEqual({ rows: 0, ids: 0 });
  }, 180_000);

  test('past the timeout a webhook is answered 503 between transactions; the retry stores the rest once', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-shutdown-test-'));
    cleanups.push(() => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })));
    const server = await startTestServer({ dataDir, shutdownTimeoutMs: 200 });
    const headBefore = await server.store.head();
    const body = webhookOf(4_000, 'CUT');
    const answered = postWebhook(server, 'whatsapp', body);
    await firstSliceStored(server, headBefore);
    await server.shutdown();
    const response = await answered;
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    const partial = await storedMessages(dataDir, 'CUT');
    expect(partial.rows).toBeGreaterThan(0);
    expect(partial.rows).toBeLessThan(4_000);

    // Meta retries the same webhook on the restarted server: the rest is stored, nothing twice.
    const again = await startTestServer({ dataDir });
    await postWebhook(again, 'whatsapp', body).then(async (retry) =>
      expect(retry.status, await retry.text()).toBe(200),
    );
    await again.close();
    expect(await storedMessages(dataDir, 'CUT')).toEqual({ rows: 4_000, ids: 4_000 });
  }, 180_000);

  test('the server process stops on SIGTERM with exit code 0, logging JSON lines with request ids', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sigterm-test-'));
    cleanups.push(() => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })));
    const started = startServerProcess({
      name: 'the server',
      dataDir,
      whatsapp: { name: 'Stop test', accessToken: 'stop-test-access-token-value', verifyToken: 'stop-test-verify' },
      env: { PARLEY_GRAPH_API_URL: 'http://127.0.0.1:9' },
    });
    const { child } = started;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    const url = await started.url;

    // A request with an id of its own keeps it; the answer and every line it logs carry it.
    const body = webhookOf(3, 'SIG');
    const response = await fetch(`${url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signPayload(body, APP_SECRET),
        'x-request-id': 'edge-4f1c2a',
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('edge-4f1c2a');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const output = started.output();
    const lines = output
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const stored = lines.find((line) => line.msg === 'webhook stored');
    expect(stored).toMatchObject({ reqId: 'edge-4f1c2a', stored: 3, level: 30 });
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    // The signature and the account's token never reach the logs.
    expect(output).not.toContain(signPayload(body, APP_SECRET).slice(7));
    expect(output).not.toContain('stop-test-access-token-value');
    expect(await storedMessages(dataDir, 'SIG', 'sqlite')).toEqual({ rows: 3, ids: 3 });
  }, 120_000);
});
