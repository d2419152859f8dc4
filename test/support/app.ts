import { expect, type Page } from '@playwright/test';
import { AGENT } from './server.js';

/** For the specs that allow a busy machine a minute to go online after signing in. */
export const BUSY_MACHINE = { onlineTimeoutMs: 60_000 };

/**
 * Opens the app served by the Parley server at `serverUrl`, signs in as the test agent and
 * waits until it is online (within `onlineTimeoutMs` where a spec allows a busy machine more
 * than the default).
 */
export async function signIn(
  page: Page,
  serverUrl: string,
  agent: { email: string; password: string } = AGENT,
  options: { onlineTimeoutMs?: number } = {},
): Promise<void> {
  await page.goto(serverUrl);
  await page.getByLabel('Email').fill(agent.email);
  await page.getByLabel('Password').fill(agent.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('connection-status')).toHaveAttribute(
    'data-state',
    'online',
    options.onlineTimeoutMs === undefined ? undefined : { timeout: options.onlineTimeoutMs },
  );
}
