import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { build } from 'esbuild';
import { AGENT } from '../support/server.js';
import type { SeedOptions, SeedResult } from './pages/inbox-page.js';

/**
 * The cache the inbox benchmark starts from, for every benchmark that does (inbox.ts,
 * soak.ts): the web build, the page code that writes the app's own IndexedDB
 * (pages/inbox-page.ts), and the signed-in app whose database it writes.
 */

const here = path.dirname(new URL(import.meta.url).pathname);
const repoRoot = path.resolve(here, '../..');

/** The web build's folder, renderer/dist, built first if it is missing. */
export function webBuild(): string {
  const dist = path.join(repoRoot, 'renderer/dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    console.log('renderer/dist is missing: building the renderer');
    execFileSync('npx', ['vite', 'build', 'renderer', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
  }
  return dist;
}

/** The inbox benchmark's page code, bundled to run in every document before the page's own scripts. */
export async function inboxPageScript(): Promise<string> {
  const bundle = await build({
    entryPoints: [path.join(here, 'pages/inbox-page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  return bundle.outputFiles[0]?.text ?? '';
}

/** The app's IndexedDB database for the signed-in agent. */
export type AppCache = { dbName: string; agentId: string };

/**
 * Signs the test agent in on `page`, waits until it is online and the service worker keeps
 * the app's files, and names the database the app opened for the agent.
 */
export async function signInToCache(
  page: Page,
  serverUrl: string,
  options: { onlineTimeoutMs?: number } = {},
): Promise<AppCache> {
  await page.goto(`${serverUrl}/`);
  await page.getByLabel('Email').fill(AGENT.email);
  await page.getByLabel('Password').fill(AGENT.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector(
    '[data-testid="connection-status"][data-state="online"]',
    options.onlineTimeoutMs === undefined ? undefined : { timeout: options.onlineTimeoutMs },
  );
  await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active !== null);
  const prefix = `parley:${new URL(serverUrl).origin}:`;
  const dbName = await page.waitForFunction(
    async (start) => (await indexedDB.databases()).find((db) => db.name?.startsWith(start) === true)?.name ?? false,
    prefix,
  );
  const name = (await dbName.jsonValue()) as string;
  return { dbName: name, agentId: name.slice(prefix.length) };
}

/** Writes the conversations, contacts and messages into the app's cache, through the page code. */
export async function seedCache(
  page: Page,
  cache: AppCache,
  size: Omit<SeedOptions, keyof AppCache>,
): Promise<SeedResult> {
  const options: SeedOptions = { ...cache, ...size };
  return page.evaluate((seedOptions) => globalThis.inboxBench.seed(seedOptions), options);
}
