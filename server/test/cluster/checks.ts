/** What the tests of several nodes check again and again: sign-ins, deliveries, readiness. */
import { expect } from 'vitest';
import type { LiveBatch, Message, MutationResult } from '@parley/protocol';
import { AGENT, login, type BatchRecorder, type TestServer } from '../helpers.js';

/** The test agent's session token on this node. */
export async function tokenOn(server: TestServer): Promise<string> {
  const response = await login(server, { email: AGENT.email, password: AGENT.password });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

/** How many times a message came, over every batch a socket received. */
export function timesDelivered(batches: BatchRecorder, externalId: string): number {
  return batches.all
    .flatMap((batch) => batch.changes)
    .filter((change) => change.entity === 'message' && change.data.externalId === externalId).length;
}

/** Each batch starts where the one before it ended: no seq skipped, none sent twice. */
export function expectInOrder(all: readonly LiveBatch[]): void {
  for (let index = 1; index < all.length; index += 1) {
    expect(all[index]?.after).toBe(all[index - 1]?.upTo);
  }
}

/** What /readyz answers: its status, the checks that failed and their reason codes. */
export async function readiness(server: TestServer): Promise<{ status: number; failed: string[]; reasons: string[] }> {
  const response = await fetch(new URL('/readyz', server.url));
  const body = (await response.json()) as { failed: string[]; checks: { name: string; reason?: string }[] };
  return {
    status: response.status,
    failed: body.failed,
    reasons: body.checks.flatMap((check) => (check.reason === undefined ? [] : [check.reason])),
  };
}

/** The message a mutation created, or a failure that says why it was refused. */
export function accepted(result: MutationResult): Message {
  if (!result.ok || result.message === undefined) {
    throw new Error(`refused: ${result.ok ? 'no message' : `${result.code} ${result.reason ?? ''}`}`);
  }
  return result.message;
}
