import Dexie, {
  type DBCore,
  type DBCoreMutateRequest,
  type DBCoreMutateResponse,
  type DBCoreTransaction,
  type IntervalTree,
  type IntervalTreeNode,
  type ObservabilitySet,
} from 'dexie';

/**
 * What the inbox list hears of the cache: every committed write to conversations, messages
 * and contacts, this window's with their values (a DBCore middleware), other windows' by
 * their keys (Dexie's `storagemutated`).
 */

/** What one committed write did to a table the list follows. */
export type TableChange =
  | { table: WatchedTable; kind: 'put'; values: readonly unknown[] }
  | { table: WatchedTable; kind: 'delete'; keys: readonly unknown[] }
  /** A range was deleted (a resync clears the table): read it again. */
  | { table: WatchedTable; kind: 'reset' }
  /**
   * Another window or tab on the same database wrote these rows (for messages: these keys
   * of the `mentions` index); `all` when it wrote too many to list. Their values are not
   * known here: read them again.
   */
  | { table: WatchedTable; kind: 'elsewhere'; keys: readonly string[] | 'all' };

export type WatchedTable = 'conversations' | 'messages' | 'contacts';
const WATCHED: ReadonlySet<string> = new Set<WatchedTable>(['conversations', 'messages', 'contacts']);

type ChangeListener = (changes: readonly TableChange[]) => void;

const changeListeners = new WeakMap<Dexie, Set<ChangeListener>>();

function listenersOf(db: Dexie): Set<ChangeListener> {
  let set = changeListeners.get(db);
  if (set === undefined) {
    set = new Set();
    changeListeners.set(db, set);
  }
  return set;
}

/**
 * Calls `listener` with the writes of each committed transaction to the list's tables,
 * this window's and (as `elsewhere`) those of other windows on the same database; returns
 * the unsubscribe.
 */
export function onListTablesChanged(db: Dexie, listener: ChangeListener): () => void {
  const set = listenersOf(db);
  if (set.size === 0) followOtherWindows(db);
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) stopFollowingOtherWindows(db);
  };
}

/** This window's transactions with writes to the list's tables, from their first write until they end. */
const localTransactions = new WeakMap<Dexie, Set<DBCoreTransaction>>();
const remoteFollowers = new WeakMap<Dexie, (parts: ObservabilitySet) => void>();

function localOf(db: Dexie): Set<DBCoreTransaction> {
  let set = localTransactions.get(db);
  if (set === undefined) {
    set = new Set();
    localTransactions.set(db, set);
  }
  return set;
}

/**
 * Dexie tells every window of a committed write (across tabs through a BroadcastChannel) with
 * the keys it touched. The list learns its own window's writes, values included, from the
 * middleware below; this hears the others', which it must read again.
 */
function followOtherWindows(db: Dexie): void {
  const follower = (parts: ObservabilitySet): void => {
    // This window's own commit: Dexie hands over the very object its transaction kept.
    for (const trans of localOf(db)) {
      if ((trans as { mutatedParts?: ObservabilitySet }).mutatedParts === parts) return;
    }
    const changes = changesElsewhere(db.name, parts);
    if (changes.length === 0) return;
    for (const listener of [...listenersOf(db)]) listener(changes);
  };
  remoteFollowers.set(db, follower);
  Dexie.on('storagemutated', follower);
}

function stopFollowingOtherWindows(db: Dexie): void {
  const follower = remoteFollowers.get(db);
  if (follower === undefined) return;
  Dexie.on.storagemutated.unsubscribe(follower);
  remoteFollowers.delete(db);
}

/** The single keys of a Dexie range set, or `all` when it holds a true range (a bulk write, a clear). */
function keysOf(tree: IntervalTree | undefined): string[] | 'all' {
  const keys: string[] = [];
  const stack: IntervalTreeNode[] = tree === undefined || !('from' in tree) ? [] : [tree];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (typeof node.from !== 'string' || node.from !== node.to) return 'all';
    keys.push(node.from);
    if (node.l) stack.push(node.l);
    if (node.r) stack.push(node.r);
  }
  return keys;
}

/** What another window's commit did to the list's tables. */
export function changesElsewhere(dbName: string, parts: ObservabilitySet): TableChange[] {
  if ('all' in parts)
    return [...WATCHED].map((table) => ({ table: table as WatchedTable, kind: 'elsewhere', keys: 'all' }));
  const changes: TableChange[] = [];
  for (const table of WATCHED as ReadonlySet<WatchedTable>) {
    // Messages matter to the list only through the notes that mention someone.
    const part = parts[`idb://${dbName}/${table}/${table === 'messages' ? 'mentions' : ''}`];
    if (part === undefined || part.d === 0) continue;
    const keys = keysOf(part);
    if (keys === 'all' || keys.length > 0) changes.push({ table, kind: 'elsewhere', keys });
  }
  return changes;
}

function toChange(table: WatchedTable, request: DBCoreMutateRequest, response: DBCoreMutateResponse): TableChange {
  if (request.type === 'deleteRange') return { table, kind: 'reset' };
  if (request.type === 'delete') return { table, kind: 'delete', keys: request.keys };
  const failed = response.numFailures > 0 ? new Set(Object.keys(response.failures).map(Number)) : null;
  const values = failed === null ? request.values : request.values.filter((_, index) => !failed.has(index));
  return { table, kind: 'put', values };
}

/** The changes waiting for their transaction to commit. */
const pending = new WeakMap<DBCoreTransaction, TableChange[]>();

function afterCommit(db: Dexie, trans: DBCoreTransaction, change: TableChange): void {
  const waiting = pending.get(trans);
  if (waiting !== undefined) {
    waiting.push(change);
    return;
  }
  const changes = [change];
  pending.set(trans, changes);
  const local = localOf(db);
  local.add(trans);
  const emit = (): void => {
    // Dexie tells of the commit from its own `complete` handler, before or after this one
    // depending on the IndexedDB at hand: the transaction stays known as local until both ran.
    setTimeout(() => local.delete(trans), 0);
    for (const listener of [...listenersOf(db)]) listener(changes);
  };
  // DBCore's transaction over IndexedDB is the IDBTransaction itself.
  const idb = trans as unknown as Partial<IDBTransaction>;
  if (typeof idb.addEventListener === 'function') {
    idb.addEventListener('complete', emit, { once: true });
    idb.addEventListener('abort', () => local.delete(trans), { once: true });
  } else queueMicrotask(emit);
}

/**
 * Makes the database tell the list about every committed write to conversations, messages
 * and contacts (a DBCore middleware). Call it once on a database before opening it.
 */
export function watchListTables(db: Dexie): void {
  db.use({
    stack: 'dbcore',
    name: 'listChanges',
    create(down: DBCore): DBCore {
      return {
        ...down,
        table(name) {
          const table = down.table(name);
          if (!WATCHED.has(name)) return table;
          return {
            ...table,
            mutate: async (request) => {
              const response = await table.mutate(request);
              if (listenersOf(db).size > 0)
                afterCommit(db, request.trans, toChange(name as WatchedTable, request, response));
              return response;
            },
          };
        },
      };
    },
  });
}
