/**
 * The heights of thread rows already measured, by row key (a message's id, a day), at the
 * log's width they were measured at. A thread opened again sizes and places its rows from
 * them in its first render, without laying the page out row by row to measure them. Kept
 * for the most recent rows only, and forgotten when the log's width changes.
 */
const MAX_ROWS = 3_000;
const heights = new Map<string, number>();
let measuredAtWidth: number | null = null;

export function knownRowHeight(key: string): number | undefined {
  return heights.get(key);
}

export function keepRowHeight(key: string, height: number): void {
  heights.delete(key);
  heights.set(key, height);
  if (heights.size > MAX_ROWS) {
    const oldest = heights.keys().next().value;
    if (oldest !== undefined) heights.delete(oldest);
  }
}

/** The log's width now: the heights kept at another width are forgotten. */
export function logWidthIs(width: number): void {
  if (width <= 0) return;
  if (measuredAtWidth !== null && Math.abs(measuredAtWidth - width) >= 1) heights.clear();
  measuredAtWidth = width;
}
