import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ApiErrorSchema, LoginResponseSchema } from '@parley/protocol';
import { passwordWork } from '../src/modules/agents/index.js';
import { ACCOUNT_POLICY, accountKey, waitOf } from '../src/modules/agents/throttle.js';
import { AGENT, login, startTestServer, type TestServer } from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
  await server.agents.createAgent({ email: AGENT.email, name: AGENT.name, role: 'agent', password: AGENT.password });
});

afterEach(async () => {
  await server.cleanup();
});

const wrong = (email: string = AGENT.email): Promise<Response> => login(server, { email, password: 'wrong horse' });
const right = (): Promise<Response> => login(server, { email: AGENT.email, password: AGENT.password });

async function expectThrottled(response: Response): Promise<number> {
  expect(response.status).toBe(429);
  const body = ApiErrorSchema.parse(await response.json());
  expect(body).toMatchObject({ code: 'unauthorized', reason: 'login_throttled' });
  const seconds = body.params?.retryAfterSeconds;
  expect(typeof seconds).toBe('number');
  expect(response.headers.get('retry-after')).toBe(String(seconds));
  return Number(seconds);
}

/** Moves the account's last failure back, as if the backoff had been waited out. */
async function waitOutBackoff(email: string = AGENT.email): Promise<void> {
  await server.store.db
    .updateTable('login_attempts')
    .set({ last_failure_at: Date.now() - 10 * 60 * 1000 })
    .where('key', '=', accountKey(email))
    .execute();
}

describe('login throttling', () => {
  test('after 5 failures the next try waits, even with the right password', async () => {
    for (let i = 0; i < 5; i += 1) expect((await wrong()).status).toBe(401);
    const seconds = await expectThrottled(await wrong());
    expect(seconds).toBeGreaterThanOrEqual(1);
    await expectThrottled(await right());
  });

  test('the wait doubles with each failure, then 10 failures lock the account for 15 minutes', async () => {
    for (let i = 0; i < 5; i += 1) await wrong();
    const waits: number[] = [];
    for (let failures = 5; failures < 10; failures += 1) {
      waits.push(await expectThrottled(await wrong()));
      await waitOutBackoff();
      expect((await wrong()).status).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16]);
    const locked = await expectThrottled(await right());
    expect(locked).toBeGreaterThan(14 * 60);
    expect(locked).toBeLessThanOrEqual(15 * 60);
    // Waiting out the backoff does not open a lock.
    await waitOutBackoff();
    await expectThrottled(await right());
  });

  test('a success clears the account’s count', async () => {
    for (let i = 0; i < 4; i += 1) await wrong();
    expect((await right()).status).toBe(200);
    const row = await server.store.db
      .selectFrom('login_attempts')
      .selectAll()
      .where('key', '=', accountKey(AGENT.email))
      .executeTakeFirst();
    expect(row).toBeUndefined();
    // Four more failures are heard again.
    for (let i = 0; i < 4; i += 1) expect((await wrong()).status).toBe(401);
  });

  test('one address trying many accounts is throttled too', async () => {
    for (let i = 0; i < 20; i += 1) expect((await wrong(`nobody${i}@example.com`)).status).toBe(401);
    await expectThrottled(await wrong('someone-new@example.com'));
    // The address is held back, so even a right password from it waits.
    await expectThrottled(await right());
  });

  test('the policy: no wait below the threshold, doubling above it, the lock wins', () => {
    const now = 1_000_000;
    const row = (failures: number, lockedUntil: number | null = null) => ({
      key: 'k',
      failures,
      last_failure_at: now,
      locked_until: lockedUntil,
    });
    expect(waitOf(undefined, ACCOUNT_POLICY, now)).toBe(0);
    expect(waitOf(row(4), ACCOUNT_POLICY, now)).toBe(0);
    expect(waitOf(row(5), ACCOUNT_POLICY, now)).toBe(1000);
    expect(waitOf(row(7), ACCOUNT_POLICY, now)).toBe(4000);
    expect(waitOf(row(7), ACCOUNT_POLICY, now + 4000)).toBe(0);
    expect(waitOf(row(40), ACCOUNT_POLICY, now)).toBe(ACCOUNT_POLICY.maxBackoffSeconds * 1000);
    expect(waitOf(row(10, now + 900_000), ACCOUNT_POLICY, now)).toBe(900_000);
  });
});

describe('the same work whether the email exists or not', () => {
  test('an unknown email runs scrypt once, as a wrong password does', async () => {
    const before = passwordWork.checks;
    const unknown = await login(server, { email: 'nobody@example.com', password: AGENT.password });
    const afterUnknown = passwordWork.checks;
    const wrongPassword = await wrong();
    const afterWrong = passwordWork.checks;
    expect(afterUnknown - before).toBe(1);
    expect(afterWrong - afterUnknown).toBe(1);
    expect(ApiErrorSchema.parse(await unknown.json())).toEqual(ApiErrorSchema.parse(await wrongPassword.json()));
  });

  test('an invited user who has no password yet runs scrypt too, and cannot sign in', async () => {
    const invited = await server.agents.inviteUser({ email: 'new@example.com', name: 'New', role: 'agent' });
    expect(invited.ok).toBe(true);
    const before = passwordWork.checks;
    const response = await login(server, { email: 'new@example.com', password: 'anything at all' });
    expect(passwordWork.checks - before).toBe(1);
    expect(response.status).toBe(401);
    expect(ApiErrorSchema.parse(await response.json()).reason).toBe('bad_credentials');
  });
});

describe('deactivated users', () => {
  test('are told they are deactivated only after the right password', async () => {
    await server.store.db.updateTable('agents').set({ active: 0 }).where('email', '=', AGENT.email).execute();
    const wrongPassword = await wrong();
    expect(ApiErrorSchema.parse(await wrongPassword.json()).reason).toBe('bad_credentials');
    const rightPassword = await right();
    expect(rightPassword.status).toBe(401);
    expect(ApiErrorSchema.parse(await rightPassword.json())).toMatchObject({
      code: 'unauthorized',
      reason: 'account_deactivated',
    });
    expect(rightPassword.headers.getSetCookie()).toEqual([]);
    expect(await server.store.db.selectFrom('sessions').select('token_hash').execute()).toEqual([]);
    // Reactivated, they sign in again.
    await server.store.db.updateTable('agents').set({ active: 1 }).where('email', '=', AGENT.email).execute();
    expect(LoginResponseSchema.parse(await (await right()).json()).agent.email).toBe(AGENT.email);
  });
});

describe('behind a load balancer', () => {
  const from = (address: string, password: string, email: string = AGENT.email): Promise<Response> =>
    fetch(new URL('/api/auth/login', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ email, password }),
    });

  test('with PARLEY_TRUST_PROXY, each client behind the proxy is throttled by its own address', async () => {
    await server.cleanup();
    server = await startTestServer({ trustProxy: ['127.0.0.1'] });
    await server.agents.createAgent({ email: AGENT.email, name: AGENT.name, role: 'agent', password: AGENT.password });
    for (let i = 0; i < 20; i += 1)
      expect((await from('203.0.113.5', 'wrong', `nobody${i}@example.com`)).status).toBe(401);
    await expectThrottled(await from('203.0.113.5', AGENT.password));
    // Another agent behind the same proxy is not held back by the first one's failures.
    expect((await from('203.0.113.9', AGENT.password)).status).toBe(200);
  });

  test('without it, a forwarded address is not believed: a client cannot pose as another', async () => {
    for (let i = 0; i < 20; i += 1) {
      expect((await from(`198.51.100.${i}`, 'wrong', `nobody${i}@example.com`)).status).toBe(401);
    }
    await expectThrottled(await from('198.51.100.200', AGENT.password));
  });
});
