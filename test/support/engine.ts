import type { ConnectionState, SyncEngine } from '../../renderer/src/sync/engine.js';

/** Resolves once the engine's connection state satisfies `predicate`; fails with the last state. */
export function untilState(
  engine: SyncEngine,
  predicate: (state: ConnectionState) => boolean,
  timeoutMs = 20_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate(engine.getState())) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`state is still ${JSON.stringify(engine.getState())}`));
    }, timeoutMs);
    const unsubscribe = engine.subscribe(() => {
      if (predicate(engine.getState())) {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  });
}
