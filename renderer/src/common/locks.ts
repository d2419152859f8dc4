/** Runs in this page under each name, so that the fallback below still never overlaps two. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` holding the lock `name`: a Web Lock, so one tab or window of this origin at a
 * time, after any call under the same name already made in this page. Where Web Locks do
 * not exist (Node), calls in this page still never overlap.
 */
export function exclusively<T>(name: string, work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : (navigator as Partial<Navigator>).locks;
  const previous = queues.get(name) ?? Promise.resolve();
  const run = previous.then(async (): Promise<T> => {
    if (locks === undefined) return work();
    const result: T = await locks.request(name, work);
    return result;
  });
  const settled = run.catch(() => undefined);
  queues.set(name, settled);
  void settled.then(() => {
    if (queues.get(name) === settled) queues.delete(name);
  });
  return run;
}
