/** How long after the inbox shows that the code of what it opens next starts loading. */
const PRELOAD_AFTER_MS = 1500;

/**
 * Runs `work` once the page is idle, a while after the inbox shows: the first rows and the
 * rest of the list come first. Returns the cancel.
 */
export function whenIdle(work: () => void): () => void {
  let idle: number | undefined;
  const timer = setTimeout(() => {
    if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(work, { timeout: 2000 });
    else work();
  }, PRELOAD_AFTER_MS);
  return () => {
    clearTimeout(timer);
    if (idle !== undefined) cancelIdleCallback(idle);
  };
}
