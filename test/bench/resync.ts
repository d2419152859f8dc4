/**
 * Resync of 1,000 missed messages in headless Chromium: an install synced to the server's
 * head goes offline, 1,000 signed webhooks arrive, and the real SyncEngine reconnects;
 * timed from start (socket connect included) until all 1,000 are stored. The floor is a
 * raw socket.io client pulling the same pages from the same cursor and writing them with
 * raw IndexedDB, measured in the same run against the same server.
 */
import path from 'node:path';
import { whatsappTextWebhook } from '@parley/server/testing';
import { AGENT, TEST_ACCOUNTS, postWebhook, startTestServer } from '../support/server.js';
import { launchChromium, serveBundles } from './browser.js';
import { printTable, writeResult } from './harness.js';
import type { ResyncBench } from './pages/resync-page.js';

const MISSED = 1_000;
const TARGET_MS = 400;

const here = path.dirname(new URL(import.meta.url).pathname);
const site = await serveBundles({ 'resync-page': path.join(here, 'pages/resync-page.ts') });
// The server accepts sockets from its own origin only, so it serves the bench page itself.
const server = await startTestServer({ webDir: site.dir });
const browser = await launchChromium();
try {
  await server.agents.createAgent({ ...AGENT, role: 'agent' });
  const session = await server.agents.login(AGENT.email, AGENT.password);
  if (session === null) throw new Error('login failed');
  const page = await browser.newPage();
  page.setDefaultTimeout(120_000);
  page.on('console', (message) => console.log('page:', message.text()));
  page.on('pageerror', (error) => console.log('page error:', error.message));
  await page.goto(`${server.url}/`);
  await page.addScriptTag({ url: `${server.url}/resync-page.js`, type: 'module' });
  await page.waitForFunction(() => typeof (globalThis.resyncBench as ResyncBench | undefined) === 'object');
  const cursor = await page.evaluate(([url, token]) => globalThis.resyncBench.prime(url, token), [
    server.url,
    session.token,
  ] as const);

  // While the agent is offline, 1,000 messages from 50 customers arrive.
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < MISSED; i += 1) {
    const customer = i % 50;
    const response = await postWebhook(
      server.url,
      'whatsapp',
      whatsappTextWebhook({
        phoneNumberId: TEST_ACCOUNTS.whatsapp,
        from: `4477009${String(customer).padStart(5, '0')}`,
        name: `Customer ${customer}`,
        id: `wamid.RESYNC${i}`,
        text: `Missed message ${i}: where is my order?`,
        timestampSeconds: now,
      }),
    );
    if (response.status !== 200) throw new Error(`webhook ${i} answered ${response.status}`);
  }

  const floor = await page.evaluate(([url, token, from]) => globalThis.resyncBench.runFloor(url, token, from), [
    server.url,
    session.token,
    cursor,
  ] as const);
  const appMs = await page.evaluate(([url, token, expected]) => globalThis.resyncBench.runApp(url, token, expected), [
    server.url,
    session.token,
    MISSED,
  ] as const);
  const ratio = appMs / floor.ms;
  printTable(`Resync of ${MISSED} missed messages`, [
    { what: 'SyncEngine (app)', ms: appMs, ratio },
    { what: 'floor: raw socket.io + raw IndexedDB', ms: floor.ms, ratio: 1 },
  ]);
  const pass = appMs <= TARGET_MS;
  console.log(
    `app ${appMs.toFixed(0)} ms (target ≤ ${TARGET_MS}) · ratio ${ratio.toFixed(2)} · ${pass ? 'PASS' : 'FAIL'}`,
  );
  const file = writeResult('resync', {
    missed: MISSED,
    appMs,
    floorMs: floor.ms,
    floorStored: floor.stored,
    ratio,
    targetMs: TARGET_MS,
    pass,
  });
  console.log(`wrote ${file}`);
} finally {
  await browser.close();
  await site.close();
  await server.cleanup();
}
