// Takes the README's screenshots: the demo inbox in light and dark, in Chromium, with one
// WhatsApp thread that shows more than text (a picture, a place, a quoted reply, a reaction,
// read ticks and the window countdown).
// Also the supervisor's view (the queue with its timers, the agents, the metrics chart) and the
// admin screen, in light and dark.
// Usage: npm run build && node scripts/screenshots.mjs
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import sharp from 'sharp';
import { WEBHOOK_PATHS, loadConfig, signPayload, startServer } from '@parley/server/testing';
import { freePort } from './free-port.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'docs');
fs.mkdirSync(out, { recursive: true });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-shots-'));
const defaults = loadConfig({});
/** The demo WhatsApp number (server/src/simulator/simulator.ts, DEMO_BUSINESS). */
const DEMO_PHONE_NUMBER_ID = '100000000000001';
const CUSTOMER = { name: 'Sofia Marques', waId: '351912000111' };

/** A port for the server, known before it starts, so the fake Graph API can post statuses to it. */
const port = await freePort();
const appSecret = randomBytes(24).toString('hex');

// The fake Graph API (test/fake-graph) stands in for Meta: it serves the customer's picture
// and accepts the agent's replies, then posts signed delivered/read statuses back.
const fakeGraph = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/fake-graph/main.ts')], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, PARLEY_URL: `http://127.0.0.1:${port}`, META_APP_SECRET: appSecret },
});
// Never leave it running when this script stops, by an error too.
process.on('exit', () => fakeGraph.kill('SIGKILL'));
const graphUrl = await new Promise((resolve, reject) => {
  let buffered = '';
  const timer = setTimeout(() => reject(new Error('the fake Graph API did not start within 30 s')), 30_000);
  fakeGraph.stdout.setEncoding('utf8');
  fakeGraph.stdout.on('data', (chunk) => {
    buffered += chunk;
    const match = /FAKE_GRAPH_URL=(\S+)/.exec(buffered);
    if (match === null) return;
    clearTimeout(timer);
    resolve(match[1]);
  });
  fakeGraph.on('exit', (code) => reject(new Error(`the fake Graph API exited (${code})`)));
});

const server = await startServer({
  ...defaults,
  port,
  host: '127.0.0.1',
  dataDir,
  media: { dir: path.join(dataDir, 'media'), s3: null },
  webDir: path.join(root, 'renderer/dist'),
  demo: true,
  simulatorIntervalMs: 100,
  logLevel: 'error',
  meta: { ...defaults.meta, appSecret },
  graph: { baseUrl: graphUrl, version: defaults.graph.version },
});
// Let the simulated customers write a little first.
await new Promise((resolve) => setTimeout(resolve, 3000));
// A send in flight when the simulator is disposed schedules the next one: keep clearing
// until none can be in flight any more.
for (let tries = 0; tries < 100; tries += 1) {
  server.simulator?.dispose();
  await new Promise((resolve) => setTimeout(resolve, 20));
}

async function webhook(messages) {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA_DEMO',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550100001', phone_number_id: DEMO_PHONE_NUMBER_ID },
              contacts: [{ profile: { name: CUSTOMER.name }, wa_id: CUSTOMER.waId }],
              messages: messages.map((message) => ({ from: CUSTOMER.waId, ...message })),
            },
          },
        ],
      },
    ],
  });
  const response = await fetch(new URL(WEBHOOK_PATHS.whatsapp, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(body, appSecret) },
    body,
  });
  if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
}

/** Stores a file in the fake Graph API as if the customer had sent it; returns its media id. */
async function customerMedia(bytes, mimeType, fileName) {
  const form = new FormData();
  form.append('messaging_product', 'whatsapp');
  form.append('type', mimeType);
  form.append('file', new Blob([bytes], { type: mimeType }), fileName);
  const response = await fetch(`${graphUrl}/${defaults.graph.version}/${DEMO_PHONE_NUMBER_ID}/media`, {
    method: 'POST',
    headers: { authorization: 'Bearer demo-token-whatsapp' },
    body: form,
  });
  const answer = await response.json();
  if (typeof answer.id !== 'string')
    throw new Error(`the fake Graph API refused the upload: ${JSON.stringify(answer)}`);
  return answer.id;
}

const sneaker = await sharp(
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#e3f2fd"/><stop offset="1" stop-color="#90caf9"/></linearGradient></defs>
    <rect width="480" height="320" fill="url(#g)"/>
    <ellipse cx="240" cy="262" rx="170" ry="16" fill="#000" opacity="0.12"/>
    <path d="M90 230 C 100 170, 150 150, 200 150 L 250 120 C 270 150, 320 170, 380 190 C 410 200, 410 240, 390 248 L 100 248 C 88 248, 86 238, 90 230 Z" fill="#1e63c6"/>
    <path d="M96 236 L 396 236 L 392 252 L 100 252 Z" fill="#ffffff"/>
    <path d="M205 160 L 230 190 M 220 150 L 245 180 M 235 140 L 260 170" stroke="#ffffff" stroke-width="6" stroke-linecap="round"/>
    <circle cx="330" cy="205" r="10" fill="#ffffff" opacity="0.9"/>
  </svg>`),
)
  .jpeg({ quality: 85 })
  .toBuffer();
const seconds = (ms) => String(Math.floor(ms / 1000));
const pictureId = await customerMedia(sneaker, 'image/jpeg', 'acme-runner.jpg');
await webhook([
  {
    id: 'wamid.SHOT1',
    timestamp: seconds(Date.now() - 6 * 60_000),
    type: 'text',
    text: { body: 'Hi! Do you still have the Acme Runner in blue? 👟' },
  },
  {
    id: 'wamid.SHOT2',
    timestamp: seconds(Date.now() - 5 * 60_000),
    type: 'image',
    image: { id: pictureId, mime_type: 'image/jpeg', caption: 'This one, size 38' },
  },
]);

const browser = await chromium.launch({
  executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

async function openThread(page) {
  await page.goto(server.url);
  await page.getByTestId('demo-account').first().click();
  const item = page.getByTestId('conversation-item').filter({ hasText: CUSTOMER.name });
  await item.waitFor();
  await item.click();
  await page.locator('[data-kind="image"] [data-testid="image-attachment"] img').waitFor({ timeout: 20_000 });
}

/** The agent answers from the app itself: a quoted reply, then a reaction. */
async function converse(page) {
  const picture = page.locator('[data-testid="message"][data-kind="image"]');
  await picture.hover();
  await picture.getByRole('button', { name: 'Reply' }).click();
  const input = page.getByTestId('composer-input');
  await input.fill('Yes! We have it in sizes 36 to 42. I can set a pair of 38 aside for you.');
  await input.press('Enter');
  await page.locator('[data-testid="message-status"][data-status="read"]').first().waitFor({ timeout: 20_000 });

  await webhook([
    {
      id: 'wamid.SHOT3',
      timestamp: seconds(Date.now()),
      type: 'location',
      location: { latitude: 38.7107, longitude: -9.1366, name: 'Acme Store Baixa', address: 'Rua Augusta 100, Lisboa' },
    },
    { id: 'wamid.SHOT4', timestamp: seconds(Date.now()), type: 'text', text: { body: 'Can I pick them up here?' } },
  ]);
  const place = page.locator('[data-testid="message"][data-kind="location"]');
  await place.waitFor();
  await place.hover();
  await place.getByRole('button', { name: 'React with 👍' }).click();
  await place.getByTestId('reaction').waitFor();
  await page.mouse.move(0, 0);
}

for (const scheme of ['light', 'dark']) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: scheme, locale: 'en-US' });
  await openThread(page);
  if (scheme === 'light') await converse(page);
  else await page.locator('[data-testid="message-status"][data-status="read"]').first().waitFor();
  // The next answer, still being written.
  await page
    .getByTestId('composer-input')
    .fill('Of course — they will be waiting for you at Rua Augusta from 10:00 tomorrow.');
  await page.mouse.move(0, 0);
  // Images decode asynchronously; let the last one settle before the picture is taken.
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(out, `inbox-${scheme}.png`) });
  if (scheme === 'light') {
    const login = await browser.newPage({
      viewport: { width: 1280, height: 900 },
      colorScheme: scheme,
      locale: 'en-US',
    });
    await login.goto(server.url);
    await login.getByTestId('demo-account').first().waitFor();
    await login.screenshot({ path: path.join(out, 'login-light.png') });
  }
}
// Customers who have waited a while, so the queue shows its timers against the targets.
const WAITING = [
  { name: 'Hannah Weber', waId: '447700900301', minutes: 18, text: 'Hello? Is anyone there?' },
  { name: 'Yusuf Demir', waId: '447700900302', minutes: 13, text: 'I would like a refund for order 5521' },
  { name: 'Priya Nair', waId: '447700900303', minutes: 4, text: 'Do you ship to Slovenia?' },
];
for (const [index, customer] of WAITING.entries()) {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA_DEMO',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550100001', phone_number_id: DEMO_PHONE_NUMBER_ID },
              contacts: [{ profile: { name: customer.name }, wa_id: customer.waId }],
              messages: [
                {
                  from: customer.waId,
                  id: `wamid.SHOTQ${index}`,
                  timestamp: seconds(Date.now() - customer.minutes * 60_000),
                  type: 'text',
                  text: { body: customer.text },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  const response = await fetch(new URL(WEBHOOK_PATHS.whatsapp, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(body, appSecret) },
    body,
  });
  if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
}

/** The demo's admin (server/src/demo/seed.ts). */
const ADMIN = { email: 'olivia@parley.demo', password: 'parley-demo' };

async function signInAs(page, email, password) {
  await page.goto(server.url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('connection-status').and(page.locator('[data-state="online"]')).waitFor({ timeout: 30_000 });
}

for (const scheme of ['light', 'dark']) {
  // Taller, so the queue and the whole chart fit.
  const context = await browser.newContext({
    viewport: { width: 1280, height: 1100 },
    colorScheme: scheme,
    locale: 'en-US',
  });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByTestId('demo-account').filter({ hasText: 'Sam' }).click();
  await page.getByTestId('nav-supervisor').click();
  await page.getByTestId('queue-customer').filter({ hasText: 'Yusuf Demir' }).first().waitFor();
  await page.getByRole('checkbox', { name: 'Select Priya Nair' }).first().check();
  await page.getByTestId('metrics-panel').locator('svg').first().waitFor();
  await page.mouse.move(0, 0);
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(out, `supervisor-${scheme}.png`) });
  await context.close();

  const adminContext = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    colorScheme: scheme,
    locale: 'en-US',
  });
  const admin = await adminContext.newPage();
  await signInAs(admin, ADMIN.email, ADMIN.password);
  await admin.getByTestId('nav-admin').click();
  await admin.getByTestId('user-row').first().waitFor();
  await admin.mouse.move(0, 0);
  await admin.waitForTimeout(500);
  await admin.screenshot({ path: path.join(out, `admin-users-${scheme}.png`) });
  await admin.getByTestId('admin-tab-teams').click();
  // A team, or the words saying there is none yet (a server that does not sync teams).
  await admin.getByTestId('team-editor').or(admin.getByText('No teams yet.')).waitFor();
  if (await admin.getByTestId('team-editor').isVisible()) {
    await admin.mouse.move(0, 0);
    await admin.waitForTimeout(300);
    await admin.screenshot({ path: path.join(out, `admin-teams-${scheme}.png`) });
  } else {
    console.log('screenshots: this server syncs no teams yet; the teams tab is not pictured');
  }
  await adminContext.close();
}

await browser.close();
await server.close();
await new Promise((resolve) => {
  fakeGraph.once('exit', resolve);
  fakeGraph.kill('SIGTERM');
  // It closes its server first; never let a lingering connection keep this script alive.
  setTimeout(() => fakeGraph.kill('SIGKILL'), 3000).unref();
});
fs.rmSync(dataDir, { recursive: true, force: true });
console.log(`Screenshots written to ${out}`);
