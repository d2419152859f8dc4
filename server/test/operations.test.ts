import { Writable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config.js';
import { GraphClient, SuccessResponseSchema } from '../src/modules/outbound/graph.js';
import { signPayload } from '../src/modules/channels/signature.js';
import { ServerMetrics } from '../src/platform/metrics.js';
import {
  APP_SECRET,
  connectReady,
  deliver,
  postWebhook,
  signIn,
  startTestServer,
  whatsappText,
  type TestServer,
} from './helpers.js';

/** Lines a server logs, captured instead of written to stdout. */
function captureLogs(): { stream: Writable; lines: () => Record<string, unknown>[]; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    stream,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

type Sample = { name: string; labels: Record<string, string>; value: number };

/**
 * Reads the Prometheus text exposition format strictly: every line is a comment (HELP or
 * TYPE of a metric), or a sample `name{label="value",…} number`. Throws on anything else.
 */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (comment !== null) {
      if (comment[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(comment[3]);
        typed.add(comment[2] ?? '');
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[+-]?(?:nan|inf))$/i.exec(line);
    if (sample === null) throw new Error(`not a Prometheus line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] ?? ''] = pair[2] ?? '';
    }
    const name = sample[1] ?? '';
    const family = name.replace(/_(bucket|sum|count|total)$/, '');
    if (!typed.has(name) && !typed.has(family)) throw new Error(`a sample without a TYPE: ${line}`);
    samples.push({ name, labels, value: Number(sample[3]) });
  }
  return samples;
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  return found.reduce((sum, sample) => sum + sample.value, 0);
}

async function scrape(server: TestServer, token?: string): Promise<Sample[]> {
  const response = await fetch(new URL('/metrics', server.url), {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parsePrometheus(await response.text());
}

describe('operations endpoints', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.cleanup();
    server = undefined;
  });

  test('/readyz lists its checks: 200 when the database answers and every migration is applied', async () => {
    server = await startTestServer();
    const response = await fetch(new URL('/readyz', server.url));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      failed: string[];
      checks: { name: string; ok: boolean }[];
    };
    expect(body.status).toBe('ready');
    expect(body.failed).toEqual([]);
    expect(body.checks.map((check) => [check.name, check.ok])).toEqual([
      ['shutdown', true],
      ['database', true],
      ['migrations', true],
    ]);
  });

  test('/readyz answers 503 naming the check that failed: a migration not applied', async () => {
    server = await startTestServer();
    // As if the database were an older one that this server's migrations had not reached.
    await server.store.db
      .deleteFrom('kysely_migration' as never)
      .where('name' as never, '=', '0004_inbox' as never)
      .execute();
    const response = await fetch(new URL('/readyz', server.url));
    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      failed: string[];
      checks: { name: string; reason?: string; detail?: { pending?: string[] } }[];
    };
    expect(body.failed).toEqual(['migrations']);
    const migrations = body.checks.find((check) => check.name === 'migrations');
    expect(migrations?.reason).toBe('migrations_pending');
    expect(migrations?.detail?.pending).toEqual(['0004_inbox']);
    // Liveness does not depend on it.
    expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
  });

  test('/metrics is Prometheus text, and the webhook counters move when a webhook arrives', async () => {
    server = await startTestServer();
    const before = await scrape(server);
    expect(valueOf(before, 'parley_webhooks_received_total', { channel: 'whatsapp' })).toBe(0);
    // Event-loop lag, and the sockets and queues, are there from the start.
    expect(before.some((sample) => sample.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    expect(valueOf(before, 'parley_sockets_connected')).toBe(0);
    expect(before.some((sample) => sample.name === 'parley_queue_depth' && sample.labels.queue === 'outbound')).toBe(
      true,
    );

    await deliver(
      server,
      'whatsapp',
      whatsappText({
        from: '447700900001',
        name: 'Ann',
        id: 'wamid.METRICS1',
        text: 'Hello',
        timestampSeconds: 1_700_000_000,
      }),
    );
    const refused = await postWebhook(
      server,
      'whatsapp',
      whatsappText({ from: '1', name: 'x', id: 'y', text: 'z', timestampSeconds: 1 }),
      {
        signature: 'sha256=00',
      },
    );
    expect(refused.status).toBe(401);

    const after = await scrape(server);
    expect(valueOf(after, 'parley_webhooks_received_total', { channel: 'whatsapp' })).toBe(2);
    expect(valueOf(after, 'parley_webhooks_failed_total', { channel: 'whatsapp', reason: 'signature' })).toBe(1);
    expect(valueOf(after, 'parley_webhook_events_total', { channel: 'whatsapp', outcome: 'stored' })).toBe(1);
  });

  test('the fan-out histogram observes a webhook reaching a connected socket; sockets are counted', async () => {
    server = await startTestServer();
    const { token } = await signIn(server);
    const { batches } = await connectReady(server, token);
    await deliver(
      server,
      'whatsapp',
      whatsappText({
        from: '447700900004',
        name: 'Di',
        id: 'wamid.FANOUT',
        text: 'Hi',
        timestampSeconds: 1_700_000_000,
      }),
    );
    await batches.waitFor((batch) => batch.upTo > 0, 'the webhook');
    const samples = await scrape(server);
    expect(valueOf(samples, 'parley_sockets_connected')).toBe(1);
    expect(valueOf(samples, 'parley_webhook_fanout_seconds_count', { channel: 'whatsapp' })).toBe(1);
    expect(valueOf(samples, 'parley_webhook_fanout_seconds_bucket', { channel: 'whatsapp', le: '+Inf' })).toBe(1);
  });

  test('with PARLEY_METRICS_TOKEN, /metrics asks for it as a bearer token', async () => {
    const token = 'metrics-scrape-token-0123456789';
    server = await startTestServer({ metricsToken: token });
    expect((await fetch(new URL('/metrics', server.url))).status).toBe(401);
    const wrong = await fetch(new URL('/metrics', server.url), { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await scrape(server, token)).length).toBeGreaterThan(0);
  });

  test('each server has its own registry: two servers count apart', async () => {
    server = await startTestServer();
    const other = await startTestServer();
    try {
      await deliver(
        server,
        'whatsapp',
        whatsappText({
          from: '447700900002',
          name: 'Bo',
          id: 'wamid.APART',
          text: 'Hi',
          timestampSeconds: 1_700_000_000,
        }),
      );
      expect(valueOf(await scrape(server), 'parley_webhooks_received_total')).toBe(1);
      expect(valueOf(await scrape(other), 'parley_webhooks_received_total')).toBe(0);
    } finally {
      await other.cleanup();
    }
  });
});

describe('Graph API metrics', () => {
  test('calls and errors are counted by channel, operation and Meta error code', async () => {
    const metrics = new ServerMetrics();
    // A local endpoint that answers as Meta does when it refuses a call.
    const { createServer } = await import('node:http');
    const fake = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url?.includes('/refused/')) {
        response.statusCode = 400;
        response.end(JSON.stringify({ error: { message: 'Invalid parameter', code: 100 } }));
      } else {
        response.end(JSON.stringify({ success: true }));
      }
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const address = fake.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const graph = new GraphClient({
        baseUrl: `http://127.0.0.1:${port}`,
        version: 'v21.0',
        observe: (call) =>
          metrics.graphCall(
            call.channel,
            call.operation,
            call.error === null ? { ok: true } : { ok: false, code: call.error },
          ),
      });
      const call = (id: string) =>
        graph.request({
          method: 'POST',
          channel: 'whatsapp',
          token: 't',
          path: [id, 'messages'],
          json: {},
          schema: SuccessResponseSchema,
        });
      await call('ok');
      await expect(call('refused')).rejects.toThrow();
      const samples = parsePrometheus((await metrics.exposition()).body);
      expect(valueOf(samples, 'parley_graph_api_calls_total', { channel: 'whatsapp', operation: 'messages' })).toBe(2);
      expect(valueOf(samples, 'parley_graph_api_errors_total', { channel: 'whatsapp', code: '100' })).toBe(1);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});

describe('logs', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.cleanup();
    server = undefined;
  });

  test('JSON lines carry the request id: a sane x-request-id is kept and echoed, another is replaced', async () => {
    const logs = captureLogs();
    server = await startTestServer({ logLevel: 'info', logFormat: 'json' }, { logDestination: logs.stream });
    const kept = await fetch(new URL('/api/info', server.url), { headers: { 'x-request-id': 'lb-7f3a9c' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a9c');
    const replaced = await fetch(new URL('/api/info', server.url), {
      headers: { 'x-request-id': 'forged\tline {"level":60}' },
    });
    const own = replaced.headers.get('x-request-id') ?? '';
    expect(own).toMatch(/^[0-9a-f-]{36}$/);
    const completed = logs.lines().filter((line) => line.msg === 'request completed');
    expect(completed.map((line) => line.reqId)).toEqual(expect.arrayContaining(['lb-7f3a9c', own]));
    expect(completed[0]).toMatchObject({ level: 30, service: 'parley', req: { method: 'GET', url: '/api/info' } });
    expect(completed[0]).toMatchObject({ res: { statusCode: 200 } });
    // One line a request at info: the answer's.
    expect(logs.lines().filter((line) => line.msg === 'incoming request')).toEqual([]);
    expect(typeof completed[0]?.time).toBe('string');
  });

  test('secrets never reach the logs: headers, signatures, tokens, cookies', async () => {
    const logs = captureLogs();
    server = await startTestServer({ logLevel: 'trace', logFormat: 'json' }, { logDestination: logs.stream });
    const body = JSON.stringify(
      whatsappText({
        from: '447700900003',
        name: 'Cy',
        id: 'wamid.REDACT',
        text: 'Hi',
        timestampSeconds: 1_700_000_000,
      }),
    );
    const signature = signPayload(body, APP_SECRET);
    await fetch(new URL('/webhooks/whatsapp', server.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signature,
        authorization: 'Bearer header-token-secret-1',
        cookie: 'parley_session=cookie-secret-2',
      },
      body,
    });
    // Whatever a module logs, the usual places of a secret are censored.
    server.app.log.info(
      {
        req: { headers: { authorization: 'Bearer logged-token-secret-3', cookie: 'c=cookie-secret-4' } },
        account: { accessToken: 'access-secret-5', appSecret: 'app-secret-6', verifyToken: 'verify-secret-7' },
        row: { access_token: 'access-secret-8', app_secret: 'app-secret-9' },
        token: 'bare-token-secret-10',
      },
      'an object with secrets',
    );
    const text = logs.text();
    expect(text).toContain('an object with secrets');
    expect(text).toContain('[redacted]');
    for (const secret of [
      signature.slice('sha256='.length),
      'header-token-secret-1',
      'cookie-secret-2',
      'logged-token-secret-3',
      'cookie-secret-4',
      'access-secret-5',
      'app-secret-6',
      'verify-secret-7',
      'access-secret-8',
      'app-secret-9',
      'bare-token-secret-10',
      APP_SECRET,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  test('pretty lines for a person: one short line a message, secrets redacted there too', async () => {
    const logs = captureLogs();
    server = await startTestServer({ logLevel: 'info', logFormat: 'pretty' }, { logDestination: logs.stream });
    server.app.log.info({ account: { accessToken: 'pretty-secret-11' } }, 'pretty line');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = logs
      .text()
      .split('\n')
      .find((candidate) => candidate.includes('pretty line'));
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: pretty line/);
    expect(logs.text()).not.toContain('pretty-secret-11');
    // No line a request at a terminal: /healthz and the like stay quiet.
    await fetch(new URL('/api/info', server.url));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logs.text()).not.toContain('request completed');
  });
});

describe('log configuration', () => {
  test('pretty at a terminal outside production, JSON otherwise; PARLEY_LOG_FORMAT and PARLEY_LOG_LEVEL win', () => {
    expect(loadConfig({}, true).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'production' }, true).logFormat).toBe('json');
    expect(loadConfig({}, false).logFormat).toBe('json');
    expect(loadConfig({ PARLEY_LOG_FORMAT: 'json' }, true).logFormat).toBe('json');
    expect(loadConfig({ PARLEY_LOG_FORMAT: 'pretty' }, false).logFormat).toBe('pretty');
    expect(loadConfig({ PARLEY_LOG_LEVEL: 'warn', LOG_LEVEL: 'debug' }).logLevel).toBe('warn');
    expect(loadConfig({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(() => loadConfig({ PARLEY_LOG_FORMAT: 'xml' })).toThrow(/PARLEY_LOG_FORMAT/);
    expect(() => loadConfig({ PARLEY_METRICS_TOKEN: 'short' })).toThrow(/PARLEY_METRICS_TOKEN/);
    expect(loadConfig({ PARLEY_SHUTDOWN_TIMEOUT_MS: '2500' }).shutdownTimeoutMs).toBe(2500);
    expect(loadConfig({}).shutdownTimeoutMs).toBe(10_000);
  });
});
