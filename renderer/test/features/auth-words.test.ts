import { describe, expect, it } from 'vitest';
import { failureText } from '../../src/common/i18n/failures.js';

/** What the sign-in form says when the server throttles or refuses a sign-in. */
describe('sign-in refusals in words', () => {
  const throttled = (retryAfterSeconds: number) => ({
    code: 'unauthorized',
    reason: 'login_throttled' as const,
    params: { retryAfterSeconds },
  });

  it('a short wait in seconds, a lockout in minutes', () => {
    expect(failureText(throttled(1), 'en')).toBe('Too many attempts. Try again in 1 second.');
    expect(failureText(throttled(16), 'en')).toBe('Too many attempts. Try again in 16 seconds.');
    expect(failureText(throttled(897), 'en')).toBe('Too many attempts. Sign-in is locked for 15 minutes.');
    expect(failureText(throttled(897), 'fr')).toBe('Trop de tentatives. La connexion est bloquée pendant 15 minutes.');
  });

  it('a deactivated account and a weak password', () => {
    expect(failureText({ code: 'unauthorized', reason: 'account_deactivated' }, 'en')).toBe(
      'Your account has been deactivated. Ask an admin to reactivate it.',
    );
    expect(failureText({ code: 'bad_request', reason: 'password_weak', params: { min: 8 } }, 'en')).toMatch(/8/);
  });
});
