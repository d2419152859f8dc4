import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { ConfigError } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/database.js';
import { SecretBox, demoSecretKey, parseSecretKey } from '../src/platform/secrets.js';
import { loadConfig } from '../src/config.js';
import { openTestDatabase, readStored } from './support/database.js';
import { startTestServer, verifyWebhook, VERIFY_TOKEN, type TestServer } from './helpers.js';

const KEY = randomBytes(32);
const SEALED = /^enc:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/;

const servers: TestServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-secrets-'));
  dirs.push(dir);
  return dir;
}

/** The channel secrets exactly as stored, read past the server. */
async function storedSecrets(
  dataDir: string,
): Promise<{ access_token: string; app_secret: string; verify_token: string }[]> {
  return readStored(dataDir, 'select access_token, app_secret, verify_token from channel_accounts');
}

async function start(dataDir: string, secretKey: Buffer | undefined): Promise<TestServer> {
  const server = await startTestServer({ dataDir, secretKey });
  servers.push(server);
  return server;
}

describe('SecretBox', () => {
  test('a round trip; each sealing differs; the format is enc:v1:iv:tag:ciphertext', () => {
    const box = new SecretBox(KEY);
    const a = box.seal('EAAG-page-token');
    const b = box.seal('EAAG-page-token');
    expect(a).toMatch(SEALED);
    expect(a).not.toBe(b);
    expect(a).not.toContain('EAAG');
    expect(box.open(a)).toBe('EAAG-page-token');
    expect(box.open(b)).toBe('EAAG-page-token');
    // Sealing twice does not wrap a sealed value again; plaintext opens as itself.
    expect(box.seal(a)).toBe(a);
    expect(box.open('plain')).toBe('plain');
  });

  test('a wrong key or an altered value does not open', () => {
    const sealed = new SecretBox(KEY).seal('secret');
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(ConfigError);
    const parts = sealed.split(':');
    parts[4] = Buffer.from('tampered').toString('base64');
    expect(() => new SecretBox(KEY).open(parts.join(':'))).toThrow();
    expect(() => new SecretBox(null).open(sealed)).toThrow(/PARLEY_SECRET_KEY/);
  });

  test('an input that only looks sealed is sealed like any text, and a shortened tag does not open', () => {
    const box = new SecretBox(KEY);
    const lookalike = 'enc:v1:AAAA:BBBB:CCCC';
    const stored = box.seal(lookalike);
    expect(stored).not.toBe(lookalike);
    expect(box.open(stored)).toBe(lookalike);
    // A value sealed under this key stays as it is when written again.
    expect(box.seal(stored)).toBe(stored);
    const [prefix, version, iv, tag, text] = box.seal('secret').split(':');
    const short = [
      prefix,
      version,
      iv,
      Buffer.from(tag ?? '', 'base64')
        .subarray(0, 4)
        .toString('base64'),
      text,
    ].join(':');
    expect(() => box.open(short)).toThrow();
  });

  test('the key is 32 bytes in base64 or hex; anything else names the variable', () => {
    expect(parseSecretKey(KEY.toString('base64')).equals(KEY)).toBe(true);
    expect(parseSecretKey(KEY.toString('hex')).equals(KEY)).toBe(true);
    expect(() => parseSecretKey('too-short')).toThrow(/PARLEY_SECRET_KEY/);
    expect(() => loadConfig({ PARLEY_SECRET_KEY: randomBytes(16).toString('base64') })).toThrow(/PARLEY_SECRET_KEY/);
    expect(loadConfig({ PARLEY_SECRET_KEY: KEY.toString('hex') }).secretKey?.equals(KEY)).toBe(true);
  });
});

describe('channel secrets at rest', () => {
  test('with a key they are stored sealed and read as plaintext (a webhook verification works)', async () => {
    const dataDir = tempDir();
    const server = await start(dataDir, KEY);
    const rows = await storedSecrets(dataDir);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.access_token).toMatch(SEALED);
      expect(row.app_secret).toMatch(SEALED);
      expect(row.verify_token).toMatch(SEALED);
    }
    const accounts = await server.store.db.selectFrom('channel_accounts').selectAll().execute();
    expect(accounts.map((account) => account.verify_token)).toEqual([VERIFY_TOKEN, VERIFY_TOKEN, VERIFY_TOKEN]);
    expect(accounts.some((account) => account.access_token === 'test-token-whatsapp')).toBe(true);
    const challenge = await verifyWebhook(server, 'whatsapp', {
      'hub.mode': 'subscribe',
      'hub.verify_token': VERIFY_TOKEN,
      'hub.challenge': '1158201444',
    });
    expect(challenge.status).toBe(200);
    expect(await challenge.text()).toBe('1158201444');
  });

  test('plaintext secrets left by an older start are sealed when a key is set', async () => {
    const dataDir = tempDir();
    await (await start(dataDir, undefined)).close();
    expect((await storedSecrets(dataDir)).map((row) => row.access_token)).toContain('test-token-whatsapp');
    await (await start(dataDir, KEY)).close();
    for (const row of await storedSecrets(dataDir)) {
      expect(row.access_token).toMatch(SEALED);
      expect(row.app_secret).toMatch(SEALED);
      expect(row.verify_token).toMatch(SEALED);
    }
  });

  test('a server without the key refuses to start when sealed secrets exist, naming PARLEY_SECRET_KEY', async () => {
    const dataDir = tempDir();
    await (await start(dataDir, KEY)).close();
    await expect(openTestDatabase(dataDir, {})).rejects.toThrow(/PARLEY_SECRET_KEY is not set/);
    await expect(start(dataDir, undefined)).rejects.toBeInstanceOf(ConfigError);
    // With the right key it starts again.
    await (await start(dataDir, KEY)).close();
  });
});

describe('file modes', () => {
  test('the data folder is 0700 and the database files 0600', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const db = await openDatabase(dataDir);
    try {
      expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
      for (const name of fs.readdirSync(dataDir).filter((file) => file.startsWith('parley.sqlite'))) {
        expect({ name, mode: fs.statSync(path.join(dataDir, name)).mode & 0o777 }).toEqual({ name, mode: 0o600 });
      }
      expect(fs.existsSync(path.join(dataDir, 'parley.sqlite'))).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  test('the demo makes a key up once, keeps it 0600, and reads the same key after a restart', () => {
    const dataDir = path.join(tempDir(), 'demo');
    const first = demoSecretKey(dataDir);
    const file = path.join(dataDir, 'demo-secret.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first).toHaveLength(32);
    expect(demoSecretKey(dataDir).equals(first)).toBe(true);
  });
});
