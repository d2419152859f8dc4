/**
 * Long work in slices: a large webhook is parsed and stored a few milliseconds at a time,
 * handing the event loop back in between, so health checks, sockets and other requests
 * are answered while it runs.
 */

/** How long one slice of work may hold the event loop before handing it back. */
export const SLICE_MS = 8;

/** Resolves after the event loop has run its timers and I/O once (not a microtask). */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Drives a generator step by step, handing the loop back whenever a slice's time is up. */
export async function runInSlices<T>(
  steps: Generator<undefined, T, undefined>,
  sliceMs: number = SLICE_MS,
): Promise<T> {
  for (;;) {
    const started = performance.now();
    let step = steps.next();
    while (step.done !== true && performance.now() - started < sliceMs) step = steps.next();
    if (step.done === true) return step.value;
    await yieldToLoop();
  }
}
