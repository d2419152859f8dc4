/**
 * Points on the performance timeline (`parley:*`), for benchmarks and profiles: where the
 * time to the first rows goes. Absent in some test runtimes, where they do nothing.
 */
export function mark(name: string): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(`parley:${name}`);
}
