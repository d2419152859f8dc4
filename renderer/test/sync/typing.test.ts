import { describe, expect, it } from 'vitest';
import { newClientId } from '../../src/common/clientId.js';
import { TypingThrottle } from '../../src/sync/typing.js';

describe('TypingThrottle', () => {
  it('lets one typing event through per conversation per interval', () => {
    let now = 0;
    const throttle = new TypingThrottle(4000, () => now);
    expect(throttle.take('c1')).toBe(true);
    now = 1000;
    expect(throttle.take('c1')).toBe(false);
    expect(throttle.take('c2')).toBe(true);
    now = 4000;
    expect(throttle.take('c1')).toBe(true);
    throttle.reset('c1');
    expect(throttle.take('c1')).toBe(true);
  });

  it('makes client ids the protocol accepts, never twice the same', () => {
    const ids = new Set(Array.from({ length: 100 }, newClientId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});
