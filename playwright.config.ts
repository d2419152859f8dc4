import fs from 'node:fs';
import { chromium, defineConfig } from '@playwright/test';

/**
 * End-to-end tests run the real app in Chromium against a real Parley server on
 * 127.0.0.1. The browser: PARLEY_CHROMIUM when set; else Debian's /usr/bin/chromium (as in
 * CI); else Playwright's own, when `npx playwright install chromium` has put it on disk.
 */
function findChromium(): string | undefined {
  const chosen = process.env['PARLEY_CHROMIUM'];
  if (chosen !== undefined && chosen !== '') return chosen;
  if (fs.existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  const own = chromium.executablePath();
  return fs.existsSync(own) ? own : undefined;
}
const executablePath = findChromium();

export default defineConfig({
  testDir: 'test',
  testMatch: ['e2e/**/*.spec.ts', 'electron/**/*.spec.ts'],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  // Its own folder: Playwright empties outputDir at start, and vitest's report sits beside it.
  outputDir: 'test-results/playwright-artifacts',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    locale: 'en-US',
    launchOptions: {
      ...(executablePath === undefined ? {} : { executablePath }),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
