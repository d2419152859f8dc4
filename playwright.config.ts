import fs from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests run the real app in Chromium against a real Parley server on
 * 127.0.0.1. Playwright's own browser download is not needed: set PARLEY_CHROMIUM, or
 * install Chromium where /usr/bin/chromium finds it.
 */
const chromium = process.env['PARLEY_CHROMIUM'] ?? '/usr/bin/chromium';
const executablePath = fs.existsSync(chromium) ? chromium : undefined;

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
