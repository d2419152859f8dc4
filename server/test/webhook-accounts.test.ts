import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  channelAccountsForWebhooks,
  forgetChannelAccounts,
  upsertChannelAccount,
} from '../src/modules/channelAccounts/index.js';
import { accountColumns } from '../src/modules/channelAccounts/records.js';
import {
  WA_PHONE_NUMBER_ID,
  messagesByExternalId,
  postWebhook,
  startTestServer,
  whatsappText,
  type TestServer,
} from './helpers.js';

/**
 * Webhooks read the channel's accounts from a copy a second old at most. What another node
 * changes meanwhile (this node's copy knows nothing of it) must still be used at once.
 */

const T0 = 1_700_000_000;
const NEW_NUMBER = '106540352240001';
const NEW_SECRET = 'secret-of-another-meta-app';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.cleanup();
});

function textTo(phoneNumberId: string, id: string): Record<string, unknown> {
  return whatsappText({ phoneNumberId, from: '447700900111', name: 'Ada', id, text: 'hello', timestampSeconds: T0 });
}

/** As another node would: straight into the database, past this node's copy. */
async function addBehindTheCopy(externalId: string, appSecret: string): Promise<void> {
  const columns = accountColumns(
    `account-${externalId}`,
    {
      channel: 'whatsapp',
      externalId,
      name: 'Added elsewhere',
      accessToken: 'token',
      appSecret,
      verifyToken: 'verify',
    },
    Date.now(),
  );
  await server.store.db
    .insertInto('channel_accounts')
    .values({ ...columns, seq: 0 })
    .execute();
}

describe("the webhooks' copy of the accounts", () => {
  test('serves every webhook within a second, and is read again when asked or after a change here', async () => {
    const first = channelAccountsForWebhooks(server.store, 'whatsapp');
    expect(channelAccountsForWebhooks(server.store, 'whatsapp')).toBe(first);
    const fresh = channelAccountsForWebhooks(server.store, 'whatsapp', { fresh: true });
    expect(fresh).not.toBe(first);
    expect(channelAccountsForWebhooks(server.store, 'whatsapp')).toBe(fresh);
    forgetChannelAccounts(server.store);
    expect(channelAccountsForWebhooks(server.store, 'whatsapp')).not.toBe(fresh);

    // An account changed through this node is in the next webhook's copy.
    const before = await channelAccountsForWebhooks(server.store, 'whatsapp');
    await upsertChannelAccount(server.store, {
      channel: 'whatsapp',
      externalId: NEW_NUMBER,
      name: 'Added here',
      accessToken: 'token',
      appSecret: NEW_SECRET,
      verifyToken: 'verify',
    });
    const after = await channelAccountsForWebhooks(server.store, 'whatsapp');
    expect(after.map((account) => account.external_id)).toContain(NEW_NUMBER);
    expect(before.map((account) => account.external_id)).not.toContain(NEW_NUMBER);
  });

  test('an account another node just added, with a secret of its own, is used at once', async () => {
    // The copy is filled by a first webhook.
    expect((await postWebhook(server, 'whatsapp', textTo(WA_PHONE_NUMBER_ID, 'wamid.FIRST'))).status).toBe(200);
    await addBehindTheCopy(NEW_NUMBER, NEW_SECRET);

    const response = await postWebhook(server, 'whatsapp', textTo(NEW_NUMBER, 'wamid.NEWAPP'), { secret: NEW_SECRET });
    expect(response.status).toBe(200);
    expect(await messagesByExternalId(server, 'wamid.NEWAPP')).toBe(1);
  });

  test('an account another node just added, signed with a known secret, is not dropped as unknown', async () => {
    expect((await postWebhook(server, 'whatsapp', textTo(WA_PHONE_NUMBER_ID, 'wamid.FIRST'))).status).toBe(200);
    const [known] = await channelAccountsForWebhooks(server.store, 'whatsapp');
    await addBehindTheCopy(NEW_NUMBER, known?.app_secret ?? '');

    const response = await postWebhook(server, 'whatsapp', textTo(NEW_NUMBER, 'wamid.SAMEAPP'));
    expect(response.status).toBe(200);
    expect(await messagesByExternalId(server, 'wamid.SAMEAPP')).toBe(1);
  });
});
