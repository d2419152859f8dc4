import type { Change } from '@parley/protocol';
import { ParleyDb } from '../../../renderer/src/data/db.js';
import { applyChanges } from '../../../renderer/src/sync/apply.js';
import { makeCorpus } from './corpus.js';

export type IngestRun = { ms: number; longestTaskMs: number; longTasks: number; stored: number };
export type IngestBenchResult = { messages: number; app: IngestRun; appPaged: IngestRun; floor: IngestRun };

/** Times `work` and records the main thread's long tasks (over 50 ms) while it runs. */
async function measure(work: () => Promise<number>): Promise<IngestRun> {
  const tasks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) tasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask', buffered: false });
  const started = performance.now();
  const stored = await work();
  const ms = performance.now() - started;
  // Long-task entries are delivered asynchronously; let the last ones arrive.
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  return { ms, longestTaskMs: Math.max(0, ...tasks), longTasks: tasks.length, stored };
}

async function freshDb(name: string): Promise<ParleyDb> {
  await ParleyDb.delete(name);
  const db = new ParleyDb(name);
  await db.open();
  return db;
}

function rawPut(name: string, rows: readonly unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error ?? new Error('open failed'));
    open.onsuccess = () => {
      const idb = open.result;
      const transaction = idb.transaction('messages', 'readwrite');
      const store = transaction.objectStore('messages');
      for (const row of rows) store.put(row);
      transaction.oncomplete = () => {
        const count = idb.transaction('messages').objectStore('messages').count();
        count.onsuccess = () => {
          idb.close();
          resolve(count.result);
        };
      };
      transaction.onerror = () => reject(transaction.error ?? new Error('put failed'));
    };
  });
}

async function run(messageCount: number): Promise<IngestBenchResult> {
  const { messages } = makeCorpus(messageCount, 2_000);
  const changes: Change[] = messages.map((data) => ({ entity: 'message', data }));

  const floorDb = await freshDb('parley-bench-ingest-floor');
  floorDb.close();
  const floor = await measure(() => rawPut('parley-bench-ingest-floor', messages));

  const db = await freshDb('parley-bench-ingest-app');
  const app = await measure(async () => {
    await applyChanges(db, changes, messageCount);
    return db.messages.count();
  });
  db.close();

  // The sync engine applies pages of 500 changes, each in its own transaction.
  const pagedDb = await freshDb('parley-bench-ingest-paged');
  const appPaged = await measure(async () => {
    for (let start = 0; start < changes.length; start += 500) {
      await applyChanges(pagedDb, changes.slice(start, start + 500), start + 500);
    }
    return pagedDb.messages.count();
  });
  pagedDb.close();
  return { messages: messageCount, app, appPaged, floor };
}

declare global {
  var runIngestBench: (messageCount: number) => Promise<IngestBenchResult>;
}
globalThis.runIngestBench = run;
