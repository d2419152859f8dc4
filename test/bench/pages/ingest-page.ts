import type { Change, Message } from '@parley/protocol';
import { ParleyDb } from '../../../renderer/src/data/db.js';
import { applyChanges } from '../../../renderer/src/sync/apply.js';
import { makeCorpus } from './corpus.js';

export type IngestRun = { ms: number; longestTaskMs: number; longTasks: number; stored: number };
export type IngestVariant = 'floor' | 'app' | 'paged';
export type IngestBench = {
  /** Builds the corpus, with or without clientIds; returns how many messages it has. Not timed. */
  prepare(messageCount: number, clientIds: boolean): number;
  /** Ingests the prepared corpus into a new database one way, and measures it. */
  run(variant: IngestVariant): Promise<IngestRun>;
};

/** The sync engine's page size. */
const PAGE = 500;

/** Times `work` and records the main thread's long tasks (over 50 ms) while it runs. */
async function measure(label: string, work: () => Promise<number>): Promise<IngestRun> {
  const tasks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) tasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask', buffered: false });
  // Marks let a trace of the run be read against the measured window.
  performance.mark(`${label}:start`);
  const started = performance.now();
  const stored = await work();
  const ms = performance.now() - started;
  performance.mark(`${label}:end`);
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

/**
 * Gives the messages agents sent from the app the clientId those carry (32 hex digits, as
 * `newClientId` makes them), so the unique clientId index and its handling in
 * `putMessages` are part of what is measured, for the floor as for the app.
 */
function withClientIds(messages: readonly Message[]): Message[] {
  let state = 7;
  const hex = (): string => {
    let out = '';
    for (let i = 0; i < 4; i += 1) {
      state = (state * 1664525 + 1013904223) >>> 0;
      out += state.toString(16).padStart(8, '0');
    }
    return out;
  };
  return messages.map((message) => (message.direction === 'outbound' ? { ...message, clientId: hex() } : message));
}

let messages: Message[] = [];
let changes: Change[] = [];
/** The sync engine's pages, built before timing: building them is not the app's work. */
let pages: Change[][] = [];

const bench: IngestBench = {
  prepare(messageCount, clientIds) {
    const corpus = makeCorpus(messageCount, 2_000).messages;
    messages = clientIds ? withClientIds(corpus) : corpus;
    changes = messages.map((data) => ({ entity: 'message', data }));
    pages = [];
    for (let start = 0; start < changes.length; start += PAGE) pages.push(changes.slice(start, start + PAGE));
    return messages.length;
  },

  async run(variant) {
    const name = `parley-bench-ingest-${variant}`;
    const db = await freshDb(name);
    try {
      switch (variant) {
        case 'floor':
          db.close();
          return await measure(variant, () => rawPut(name, messages));
        case 'app':
          return await measure(variant, async () => {
            await applyChanges(db, changes, changes.length);
            return db.messages.count();
          });
        case 'paged':
          // The sync engine applies pages of 500 changes, each in its own transaction.
          return await measure(variant, async () => {
            for (const [index, page] of pages.entries()) await applyChanges(db, page, (index + 1) * PAGE);
            return db.messages.count();
          });
      }
    } finally {
      db.close();
    }
  },
};

declare global {
  var ingestBench: IngestBench;
}
globalThis.ingestBench = bench;
