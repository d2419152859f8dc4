import { afterEach, describe, expect, it, vi } from 'vitest';
import { onIdle } from '../../src/common/idle.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('onIdle', () => {
  it('asks the browser for an idle moment, bounded by the timeout, and cancels it', () => {
    const asked: { timeout: number | undefined }[] = [];
    const cancelled: number[] = [];
    vi.stubGlobal('requestIdleCallback', (_work: () => void, options?: { timeout?: number }) => {
      asked.push({ timeout: options?.timeout });
      return 7;
    });
    vi.stubGlobal('cancelIdleCallback', (handle: number) => cancelled.push(handle));
    const cancel = onIdle(() => undefined, 1000);
    expect(asked).toEqual([{ timeout: 1000 }]);
    cancel();
    expect(cancelled).toEqual([7]);
  });

  it('without idle callbacks, runs after the timeout, unless cancelled', () => {
    vi.stubGlobal('requestIdleCallback', undefined);
    vi.useFakeTimers();
    const ran: string[] = [];
    onIdle(() => ran.push('first'), 1000);
    const cancel = onIdle(() => ran.push('second'), 1000);
    cancel();
    vi.advanceTimersByTime(999);
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual(['first']);
  });
});
