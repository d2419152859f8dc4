/**
 * A customer's message reaches the agents on both nodes of `scripts/cluster.mjs`, whichever
 * node stored it: the nodes tell each other through Redis (REDIS_URL).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEMO_BUSINESS } from '../../src/demo/simulator.js';
import { batchHasMessage, postWebhook, recordBatches, whatsappText } from '../helpers.js';
import { connectAndGreet, signInDemo, startClusterScript, type RunningCluster } from './cluster-script-support.js';

const APP_SECRET = 'cluster-script-delivery-secret';

let cluster: RunningCluster | undefined;
beforeAll(async () => {
  cluster = await startClusterScript({ demo: true, env: { META_APP_SECRET: APP_SECRET } });
}, 40_000);
afterAll(async () => {
  await cluster?.stop();
});

test('a message stored by one node reaches a socket on the other', async () => {
  if (cluster === undefined) throw new Error('the cluster did not start');
  const [first, second] = cluster.nodeUrls;
  if (first === undefined || second === undefined) throw new Error('the script printed fewer than two nodes');
  const token = await signInDemo(cluster.proxyUrl, 'admin');
  // One socket on each node, reached directly so that each lands where the test says.
  const onFirst = await connectAndGreet(first, token);
  const onSecond = await connectAndGreet(second, token);
  try {
    const batchesOnFirst = recordBatches(onFirst.socket);
    const batchesOnSecond = recordBatches(onSecond.socket);
    const externalId = `wamid.cluster-delivery-${Date.now()}`;
    const response = await postWebhook(
      { url: first },
      'whatsapp',
      whatsappText({
        from: '15550009999',
        name: 'Cross Node',
        id: externalId,
        text: 'Stored by the first node, heard on both',
        timestampSeconds: Math.floor(Date.now() / 1000),
        phoneNumberId: DEMO_BUSINESS.whatsapp,
      }),
      { secret: APP_SECRET },
    );
    expect(response.status).toBe(200);
    await batchesOnFirst.waitFor(batchHasMessage(externalId), 'the message on the first node');
    await batchesOnSecond.waitFor(batchHasMessage(externalId), 'the message on the second node');
  } finally {
    onFirst.socket.disconnect();
    onSecond.socket.disconnect();
  }
});
