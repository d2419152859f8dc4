import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ChannelsFileError, loadChannelsFile, readChannelsFile } from '../src/modules/channelAccounts/channels-file.js';
import { ConfigError } from '../src/config.js';
import {
  connectReady,
  postWebhook,
  signIn,
  snapshot,
  startTestServer,
  verifyWebhook,
  whatsappText,
  type TestServer,
} from './helpers.js';

/** Nothing in these tests may reach Meta: profile fetches go to a closed local port. */
const LOCAL_GRAPH = { baseUrl: 'http://127.0.0.1:9', version: 'v21.0' };

const WA_ID = '109990000000001';
const PAGE = '209990000000002';
const IG = '17841499999999999';

const SECRETS = {
  waToken: 'EAAG-whatsapp-access-token-0001',
  waAppSecret: 'whatsapp-app-secret-aaaa-0001',
  waVerify: 'whatsapp-verify-token-0001',
  pageToken: 'EAAG-page-access-token-0002',
  pageAppSecret: 'page-app-secret-bbbb-0002',
  pageVerify: 'page-verify-token-0002',
  igToken: 'IGQ-instagram-access-token-0003',
  igFromEnv: 'instagram-app-secret-from-env-0003',
};

const folders: string[] = [];
const servers: TestServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.cleanup();
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function writeFile(content: unknown): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-channels-'));
  folders.push(folder);
  const file = path.join(folder, 'channels.json');
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

function goodEntries(): Record<string, unknown>[] {
  return [
    {
      channel: 'whatsapp',
      externalId: WA_ID,
      name: 'Acme Support',
      displayPhoneNumber: '+1 555 078 3881',
      wabaId: '102290129340398',
      accessToken: SECRETS.waToken,
      appSecret: SECRETS.waAppSecret,
      verifyToken: SECRETS.waVerify,
      throughputPerSecond: 20,
    },
    {
      channel: 'messenger',
      externalId: PAGE,
      accessToken: SECRETS.pageToken,
      appSecret: SECRETS.pageAppSecret,
      verifyToken: SECRETS.pageVerify,
      humanAgentEnabled: true,
    },
    {
      channel: 'instagram',
      externalId: IG,
      name: '@acme',
      accessToken: SECRETS.igToken,
      appSecret: { env: 'PARLEY_TEST_IG_APP_SECRET' },
      verifyToken: SECRETS.pageVerify,
    },
  ];
}

async function start(channelsFile: string): Promise<TestServer> {
  process.env.PARLEY_TEST_IG_APP_SECRET = SECRETS.igFromEnv;
  const server = await startTestServer({ channelsFile, graph: LOCAL_GRAPH });
  servers.push(server);
  return server;
}

async function accountRow(server: TestServer, externalId: string) {
  return server.store.db
    .selectFrom('channel_accounts')
    .selectAll()
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
}

async function loadError(file: string, env: NodeJS.ProcessEnv = {}): Promise<ChannelsFileError> {
  const error: unknown = await readChannelsFile(file, env).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ChannelsFileError);
  return error as ChannelsFileError;
}

describe('PARLEY_CHANNELS_FILE', () => {
  test('a good file creates every account at start, with its settings and defaults', async () => {
    const server = await start(writeFile({ channels: goodEntries() }));

    const wa = await accountRow(server, WA_ID);
    expect(wa).toMatchObject({
      channel: 'whatsapp',
      name: 'Acme Support',
      display_phone_number: '+1 555 078 3881',
      waba_id: '102290129340398',
      access_token: SECRETS.waToken,
      app_secret: SECRETS.waAppSecret,
      verify_token: SECRETS.waVerify,
      throughput_per_second: 20,
      human_agent_enabled: 0,
    });
    const page = await accountRow(server, PAGE);
    // No name given: one that says what it is.
    expect(page).toMatchObject({ channel: 'messenger', name: `Facebook Page ${PAGE}`, human_agent_enabled: 1 });
    expect(page.throughput_per_second).toBe(80);
    const ig = await accountRow(server, IG);
    expect(ig.app_secret).toBe(SECRETS.igFromEnv);

    // The file's verify tokens answer Meta's handshake on their channel.
    const handshake = await verifyWebhook(server, 'whatsapp', {
      'hub.mode': 'subscribe',
      'hub.verify_token': SECRETS.waVerify,
      'hub.challenge': 'from-the-file',
    });
    expect(handshake.status).toBe(200);
    expect(await handshake.text()).toBe('from-the-file');

    // And its app secret signs that account's webhooks.
    const body = whatsappText({
      from: '16505551234',
      name: 'Sheena Nelson',
      id: 'wamid.FROM_FILE',
      text: 'hello',
      timestampSeconds: 1_749_416_383,
      phoneNumberId: WA_ID,
    });
    const response = await postWebhook(server, 'whatsapp', body, { secret: SECRETS.waAppSecret });
    expect(response.status).toBe(200);
    const conversation = await server.store.db
      .selectFrom('conversations')
      .select('channel_account_id')
      .executeTakeFirstOrThrow();
    expect(conversation.channel_account_id).toBe(wa.id);
  });

  test('an invalid file stops the start with an error naming each bad entry and field, never a secret', async () => {
    const entries = goodEntries();
    const file = writeFile({
      channels: [
        entries[0],
        // accessToken missing
        { channel: 'messenger', externalId: PAGE, appSecret: SECRETS.pageAppSecret, verifyToken: 'v' },
        // an id written as a JSON number (it would lose its last digits)
        {
          channel: 'instagram',
          externalId: Number.MAX_SAFE_INTEGER * 2,
          accessToken: 'a',
          appSecret: 'b',
          verifyToken: 'c',
        },
        // a misspelt field, and a WhatsApp-only field on a Page
        {
          channel: 'messenger',
          externalId: '209990000000003',
          acessToken: SECRETS.pageToken,
          accessToken: 'x',
          appSecret: 'y',
          verifyToken: 'z',
          wabaId: '1',
        },
        { channel: 'telegram', externalId: '1', accessToken: 'a', appSecret: 'b', verifyToken: 'c' },
      ],
    });

    const failed: unknown = await startTestServer({ channelsFile: file, graph: LOCAL_GRAPH }).then(
      (server) => {
        servers.push(server);
        return null;
      },
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(ConfigError);
    const message = (failed as Error).message;
    expect(message).toContain(file);
    expect(message).toContain(`channels[1] (messenger ${PAGE}) accessToken: is missing`);
    expect(message).toMatch(/channels\[2\] externalId: must be written as a string in quotes/);
    expect(message).toContain('channels[3] (messenger 209990000000003) unknown field "acessToken"');
    expect(message).toContain('channels[3] (messenger 209990000000003) wabaId: only applies to WhatsApp accounts');
    expect(message).toMatch(/channels\[4\] \(telegram 1\) channel: must be "whatsapp", "messenger" or "instagram"/);
    // The good entry's secrets and the misspelt field's value are not repeated anywhere.
    for (const secret of [SECRETS.waToken, SECRETS.waAppSecret, SECRETS.waVerify, SECRETS.pageToken]) {
      expect(message).not.toContain(secret);
    }
  });

  test('nothing from an invalid file is stored, not even its valid entries', async () => {
    const server = await startTestServer({ graph: LOCAL_GRAPH });
    servers.push(server);
    const before = await server.store.head();
    const file = writeFile({ channels: [goodEntries()[0], { channel: 'messenger' }] });
    await expect(loadChannelsFile(file, server.store, server.app.log, {})).rejects.toThrow(ChannelsFileError);
    expect(await server.store.head()).toBe(before);
    const rows = await server.store.db
      .selectFrom('channel_accounts')
      .select('id')
      .where('external_id', '=', WA_ID)
      .execute();
    expect(rows).toEqual([]);
  });

  test('a file that is not JSON names the line and column, without quoting the file', async () => {
    const text = `{\n  "channels": [\n    { "channel": "whatsapp", "accessToken": "${SECRETS.waToken}" "appSecret": "x" }\n  ]\n}`;
    const error = await loadError(writeFile(text));
    expect(error.message).toMatch(/not valid JSON: .*\(line 3, column \d+\)/);
    expect(error.message).not.toContain(SECRETS.waToken);

    const garbage = await loadError(writeFile(`{"channels": [${SECRETS.pageToken}]}`));
    expect(garbage.message).toMatch(/not valid JSON/);
    expect(garbage.message).not.toContain(SECRETS.pageToken);
  });

  test('the wrong top-level shape, a missing file, an unset variable and a repeated account are each named', async () => {
    const shape = await loadError(writeFile([goodEntries()[0]]));
    expect(shape.message).toContain('Expected {"channels": [ … ]}');

    const missing = await loadError(path.join(os.tmpdir(), 'parley-no-such-folder', 'channels.json'));
    expect(missing.message).toMatch(/cannot be read: it does not exist/);

    const unset = await loadError(writeFile({ channels: [goodEntries()[2]] }), {});
    expect(unset.message).toContain(
      `channels[0] (instagram ${IG}) appSecret: names the environment variable PARLEY_TEST_IG_APP_SECRET, which is not set or empty`,
    );

    const entries = goodEntries();
    const repeated = await loadError(writeFile({ channels: [entries[1], entries[0], { ...entries[1], name: 'x' }] }));
    expect(repeated.message).toContain(`channels[2] (messenger ${PAGE}) repeats channels[0]`);

    const empty = await loadError(writeFile({ channels: [{ ...entries[0], appSecret: '   ' }] }));
    expect(empty.message).toContain(`channels[0] (whatsapp ${WA_ID}) appSecret: is empty`);
  });

  test('loading the edited file again updates the accounts it lists; clients get them without secrets', async () => {
    const file = writeFile({ channels: goodEntries() });
    const server = await start(file);
    const { token } = await signIn(server);
    const { socket, batches } = await connectReady(server, token);
    const waBefore = await accountRow(server, WA_ID);
    const pageBefore = await accountRow(server, PAGE);

    const edited = goodEntries();
    edited[0] = { ...edited[0], name: 'Acme Support (new)', accessToken: 'EAAG-rotated-token-9999' };
    // The Instagram entry is gone from the file: that must not delete the account.
    fs.writeFileSync(file, JSON.stringify({ channels: edited.slice(0, 2) }));
    const result = await loadChannelsFile(file, server.store, server.app.log, {});
    expect(result).toEqual({ created: 0, updated: 1, unchanged: 1 });

    const waAfter = await accountRow(server, WA_ID);
    expect(waAfter.name).toBe('Acme Support (new)');
    expect(waAfter.access_token).toBe('EAAG-rotated-token-9999');
    expect(Number(waAfter.seq)).toBeGreaterThan(Number(waBefore.seq));
    expect(Number((await accountRow(server, PAGE)).seq)).toBe(Number(pageBefore.seq));
    expect(await accountRow(server, IG)).toBeDefined();

    const batch = await batches.waitFor(
      (b) => b.changes.some((c) => c.entity === 'channelAccount' && c.data.name === 'Acme Support (new)'),
      'the renamed account',
    );
    const serialized = JSON.stringify(batch);
    expect(serialized).not.toContain('EAAG-rotated-token-9999');
    expect(serialized).not.toContain(SECRETS.waAppSecret);
    expect(serialized).not.toContain(SECRETS.waVerify);
    socket.disconnect();
  });

  test('a restart with the same file stamps nothing new', async () => {
    const file = writeFile({ channels: goodEntries() });
    const first = await start(file);
    const dataDir = first.dataDir;
    const head = await first.store.head();
    await first.close();
    // The restarted server owns the folder from here on, and removes it.
    servers.splice(servers.indexOf(first), 1);
    const again = await startTestServer({ channelsFile: file, graph: LOCAL_GRAPH, dataDir });
    servers.push(again);
    expect(await again.store.head()).toBe(head);
    expect((await snapshot(again)).head).toBe(head);
  });
});
