/**
 * Runs `work` once the page is idle, or after `timeoutMs` at the latest (where there is no
 * idle callback, as in some test runtimes, after `timeoutMs`). Returns the cancel.
 */
export function onIdle(work: () => void, timeoutMs: number): () => void {
  if (typeof requestIdleCallback !== 'function') {
    const timer = setTimeout(work, timeoutMs);
    return () => clearTimeout(timer);
  }
  const handle = requestIdleCallback(work, { timeout: timeoutMs });
  return () => cancelIdleCallback(handle);
}
