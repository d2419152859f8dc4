// Takes the README's screenshots: the demo inbox in light and dark, in Chromium.
// Usage: npm run build && node scripts/screenshots.mjs
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { loadConfig, startServer } from '@parley/server/testing';

const out = path.resolve('docs');
fs.mkdirSync(out, { recursive: true });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-shots-'));
const server = await startServer({
  ...loadConfig({}),
  port: 0,
  dataDir,
  webDir: path.resolve('renderer/dist'),
  demo: true,
  simulatorIntervalMs: 100,
  logLevel: 'warn',
});
// Let the simulated customers write a little first.
await new Promise((resolve) => setTimeout(resolve, 3000));
server.simulator?.dispose();

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
for (const scheme of ['light', 'dark']) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: scheme, locale: 'en-US' });
  await page.goto(server.url);
  await page.getByTestId('demo-account').first().click();
  await page.getByTestId('conversation-item').first().waitFor();
  await page.getByTestId('conversation-item').first().click();
  await page.getByTestId('message').first().waitFor();
  await page.screenshot({ path: path.join(out, `inbox-${scheme}.png`) });
  if (scheme === 'light') {
    const login = await browser.newPage({
      viewport: { width: 1280, height: 800 },
      colorScheme: scheme,
      locale: 'en-US',
    });
    await login.goto(server.url);
    await login.getByTestId('demo-account').first().waitFor();
    await login.screenshot({ path: path.join(out, 'login-light.png') });
  }
}
await browser.close();
await server.close();
fs.rmSync(dataDir, { recursive: true, force: true });
console.log(`Screenshots written to ${out}`);
