import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { PROTOCOL_VERSION, ServerInfoSchema } from '@parley/protocol';
import { ConfigError, loadConfig } from '../src/config.js';
import { startTestServer, type TestServer } from './helpers.js';

describe('a running server', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
  });

  afterEach(async () => {
    await server.cleanup();
  });

  test('/healthz → 200 {status: "ok"}', async () => {
    const response = await fetch(new URL('/healthz', server.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test('/api/info names the protocol version and, outside demo mode, no demo accounts', async () => {
    const response = await fetch(new URL('/api/info', server.url));
    expect(response.status).toBe(200);
    const info = ServerInfoSchema.parse(await response.json());
    expect(info.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(info.demoAccounts).toBeUndefined();
  });

  test('listens on the free port it was given and the URL it reports', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  test('keeps its data across a restart on the same folder', async () => {
    await server.agents.createAgent({ email: 'keep@example.com', name: 'Kept', role: 'agent', password: 'pw' });
    const head = await server.store.head();
    await server.close();
    const again = await startTestServer({ dataDir: server.dataDir });
    try {
      expect(await again.store.head()).toBe(head);
      expect(await again.agents.hasAgent('keep@example.com')).toBe(true);
    } finally {
      await again.close();
    }
  });
});

describe('loadConfig', () => {
  test('defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      demo: false,
      meta: { appSecret: undefined, verifyToken: undefined },
      webhookBodyLimit: 4 * 1024 * 1024,
      // One node on its own: no Redis.
      redisUrl: undefined,
    });
  });

  test('reads every variable it documents', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      META_APP_SECRET: 'secret',
      META_VERIFY_TOKEN: 'verify',
      PARLEY_DEMO: 'true',
      PARLEY_WEBHOOK_BODY_LIMIT: '2048',
      PARLEY_SESSION_DAYS: '7',
      LOG_LEVEL: 'debug',
      REDIS_URL: 'rediss://parley:secret@redis.internal:6380/0',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      meta: { appSecret: 'secret', verifyToken: 'verify' },
      demo: true,
      webhookBodyLimit: 2048,
      sessionDays: 7,
      logLevel: 'debug',
      redisUrl: 'rediss://parley:secret@redis.internal:6380/0',
    });
  });

  test('an empty PORT is not read as port 0 (a random port)', () => {
    // `PORT=` in an env file means "not set"; z.coerce turns '' into 0.
    let port: number | undefined;
    try {
      port = loadConfig({ PORT: '' }).port;
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return;
    }
    expect(port).toBe(8080);
  });

  test.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PARLEY_WEBHOOK_BODY_LIMIT', '10'],
    ['PARLEY_SESSION_DAYS', 'forever'],
    ['LOG_LEVEL', 'loud'],
    ['PARLEY_DEMO', 'maybe'],
    ['PARLEY_PUBLIC_URL', 'not a url'],
    ['REDIS_URL', 'http://redis.internal:6379'],
  ])('%s=%s is refused with a ConfigError naming the variable', (variable, value) => {
    let thrown: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).name).toBe('ConfigError');
    expect((thrown as ConfigError).message).toContain(variable);
  });
});
