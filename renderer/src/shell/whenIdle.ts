import { onIdle } from '../common/idle.js';

/** How long after the inbox shows that the code of what it opens next starts loading. */
const PRELOAD_AFTER_MS = 1500;
/** The longest that loading then waits for the page to be idle. */
const IDLE_WAIT_MS = 2000;

/**
 * Runs `work` once the page is idle, a while after the inbox shows: the first rows and the
 * rest of the list come first. Returns the cancel.
 */
export function whenIdle(work: () => void): () => void {
  let cancelIdle: (() => void) | undefined;
  const timer = setTimeout(() => {
    cancelIdle = onIdle(work, IDLE_WAIT_MS);
  }, PRELOAD_AFTER_MS);
  return () => {
    clearTimeout(timer);
    cancelIdle?.();
  };
}
