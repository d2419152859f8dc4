import {
  PROTOCOL_VERSION,
  SOCKET_AUTH_TOKEN,
  type ClientToServerEvents,
  type PullPage,
  type Result,
  type ServerToClientEvents,
} from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';
import { ParleyDb } from '../../../renderer/src/data/db.js';
import { SyncEngine } from '../../../renderer/src/sync/engine.js';

const APP_DB = 'parley-bench-resync-app';
const FLOOR_DB = 'parley-bench-resync-floor';

function waitFor(engine: SyncEngine, done: () => Promise<boolean>): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      void done().then((ok) => {
        if (ok) {
          unsubscribe();
          clearInterval(timer);
          resolve();
        }
      });
    };
    const unsubscribe = engine.subscribe(check);
    // The engine reports 'online' once; messages may land a moment later, so also poll.
    const timer = setInterval(check, 2);
  });
}

/** Syncs an empty install to the server's head, then stops: the agent goes offline. */
async function prime(serverUrl: string, token: string): Promise<number> {
  await ParleyDb.delete(APP_DB);
  const db = new ParleyDb(APP_DB);
  const engine = new SyncEngine({ db, serverUrl, token, clientName: 'bench' });
  engine.start();
  await waitFor(engine, () => Promise.resolve(engine.getState().kind === 'online'));
  engine.stop();
  const cursor = (await db.meta.get('cursor'))?.value ?? 0;
  db.close();
  return cursor;
}

/** The app: the real sync engine reconnects and catches up. */
async function runApp(serverUrl: string, token: string, expected: number): Promise<number> {
  const db = new ParleyDb(APP_DB);
  await db.open();
  // As in the app: the engine also works out which of the messages are new, for the summary.
  let arrived = 0;
  const engine = new SyncEngine({
    db,
    serverUrl,
    token,
    clientName: 'bench',
    onArrivals: (arrivals) => {
      arrived += arrivals.messages.length;
    },
  });
  const started = performance.now();
  engine.start();
  await waitFor(engine, async () => (await db.messages.count()) >= expected);
  const ms = performance.now() - started;
  // Reported once the pull is done, just after the last page is stored.
  for (let waited = 0; arrived < expected && waited < 5000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  engine.stop();
  db.close();
  if (arrived !== expected) throw new Error(`${arrived} of ${expected} missed messages were reported as new`);
  return ms;
}

function putPage(idb: IDBDatabase, page: PullPage): Promise<void> {
  return new Promise((resolve, reject) => {
    const stores = ['agents', 'contacts', 'conversations', 'messages', 'channelAccounts', 'templates', 'meta'];
    const transaction = idb.transaction(stores, 'readwrite');
    const storeOf = {
      agent: 'agents',
      contact: 'contacts',
      conversation: 'conversations',
      message: 'messages',
      channelAccount: 'channelAccounts',
      template: 'templates',
    } as const;
    for (const change of page.changes) {
      if (change.entity === 'team' || change.entity === 'removal' || change.entity === 'cannedResponse') continue;
      transaction.objectStore(storeOf[change.entity]).put(change.data);
    }
    transaction.objectStore('meta').put({ key: 'cursor', value: page.cursor });
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('put failed'));
  });
}

/** The floor: a raw socket.io client pulls the same pages and writes them with raw IndexedDB. */
async function runFloor(serverUrl: string, token: string, cursor: number): Promise<{ ms: number; stored: number }> {
  await ParleyDb.delete(FLOOR_DB);
  const schema = new ParleyDb(FLOOR_DB);
  await schema.open();
  schema.close();
  const idb = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(FLOOR_DB);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error ?? new Error('open failed'));
  });
  const started = performance.now();
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(serverUrl, {
    auth: { [SOCKET_AUTH_TOKEN]: token },
    transports: ['websocket'],
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  await socket.emitWithAck('hello', { protocolVersion: PROTOCOL_VERSION, client: 'bench-floor' });
  let stored = 0;
  let next = cursor;
  for (;;) {
    const reply: Result<PullPage> = await socket.emitWithAck('sync:pull', { cursor: next, limit: 500 });
    if (!reply.ok) throw new Error(`refused: ${reply.code} ${reply.reason ?? ''}`);
    await putPage(idb, reply);
    stored += reply.changes.filter((change) => change.entity === 'message').length;
    next = reply.cursor;
    if (!reply.hasMore) break;
  }
  const ms = performance.now() - started;
  socket.disconnect();
  idb.close();
  return { ms, stored };
}

export type ResyncBench = { prime: typeof prime; runApp: typeof runApp; runFloor: typeof runFloor };

declare global {
  var resyncBench: ResyncBench;
}
globalThis.resyncBench = { prime, runApp, runFloor };
