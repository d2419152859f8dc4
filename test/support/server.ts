import { UNREACHABLE_GRAPH } from './loopback-only.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  WEBHOOK_PATHS,
  loadConfig,
  whatsappTextWebhook,
  signPayload,
  startServer,
  upsertChannelAccount,
  type RunningServer,
  type ServerConfig,
} from '@parley/server/testing';

export const APP_SECRET = 'test-app-secret';
export const VERIFY_TOKEN = 'test-verify-token';
/** The business accounts every test server knows, by channel: their platform ids. */
export const TEST_ACCOUNTS = {
  whatsapp: '100000000000001',
  messenger: '200000000000002',
  instagram: '300000000000003',
};
export const AGENT = { email: 'agent@example.com', name: 'Alex Agent', password: 'correct horse battery' };

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type TestServer = RunningServer & { dataDir: string; cleanup(): Promise<void> };

/** A real Parley server on 127.0.0.1, on a free port, with its own data folder. */
export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  const config: ServerConfig = {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    dataDir,
    webDir: path.join(repoRoot, 'renderer/dist'),
    meta: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN },
    graph: UNREACHABLE_GRAPH,
    media: { dir: path.join(dataDir, 'media'), s3: null },
    demo: false,
    logLevel: 'warn',
    ...overrides,
  };
  const server = await startServer(config);
  for (const [channel, externalId] of Object.entries(TEST_ACCOUNTS) as [keyof typeof TEST_ACCOUNTS, string][]) {
    await upsertChannelAccount(server.store, {
      channel,
      externalId,
      name: `Test ${channel}`,
      accessToken: `test-token-${channel}`,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
    });
  }
  let closed = false;
  return {
    ...server,
    dataDir,
    close: async () => {
      if (closed) return;
      closed = true;
      await server.close();
    },
    cleanup: async () => {
      if (!closed) {
        closed = true;
        await server.close();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Posts a webhook body exactly as Meta would: the signature covers the bytes sent. */
export async function postWebhook(
  baseUrl: string,
  channel: keyof typeof WEBHOOK_PATHS,
  body: object | string,
  options: { secret?: string; signature?: string | null } = {},
): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signature =
    options.signature === undefined ? signPayload(raw, options.secret ?? APP_SECRET) : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return fetch(new URL(WEBHOOK_PATHS[channel], baseUrl), { method: 'POST', headers, body: raw });
}

/**
 * A customer writes to the test WhatsApp number: a signed text webhook, which the server
 * must acknowledge. `timestampSeconds` is the platform's stamp, now unless given.
 */
export async function customerWrites(
  serverUrl: string,
  message: { from: string; name: string; id: string; text: string; timestampSeconds?: number },
): Promise<void> {
  const response = await postWebhook(
    serverUrl,
    'whatsapp',
    whatsappTextWebhook({
      phoneNumberId: TEST_ACCOUNTS.whatsapp,
      timestampSeconds: Math.floor(Date.now() / 1000),
      ...message,
    }),
  );
  if (response.status !== 200) throw new Error(`the webhook for ${message.id} was answered ${response.status}`);
}
