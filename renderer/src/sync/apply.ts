import Dexie, { type EntityTable, type IDType } from 'dexie';
import type {
  Agent,
  CannedResponse,
  ChannelAccount,
  Change,
  Contact,
  Conversation,
  Message,
  Team,
  Template,
} from '@parley/protocol';
import type { ParleyDb } from '../data/db.js';
import { isQuotaError, withQuotaRecovery } from '../data/quota.js';

type Versioned = { id: string; seq: number };

type Sorted = {
  agents: Agent[];
  contacts: Contact[];
  conversations: Conversation[];
  messages: Message[];
  channelAccounts: ChannelAccount[];
  templates: Template[];
  teams: Team[];
  cannedResponses: CannedResponse[];
  /** Conversations this user no longer sees: deleted with their messages. */
  removals: string[];
};

function sortChanges(changes: readonly Change[]): Sorted {
  const sorted: Sorted = {
    agents: [],
    contacts: [],
    conversations: [],
    messages: [],
    channelAccounts: [],
    templates: [],
    teams: [],
    cannedResponses: [],
    removals: [],
  };
  for (const change of changes) {
    switch (change.entity) {
      case 'agent':
        sorted.agents.push(change.data);
        break;
      case 'contact':
        sorted.contacts.push(change.data);
        break;
      case 'conversation':
        sorted.conversations.push(change.data);
        break;
      case 'message':
        sorted.messages.push(change.data);
        break;
      case 'channelAccount':
        sorted.channelAccounts.push(change.data);
        break;
      case 'template':
        sorted.templates.push(change.data);
        break;
      case 'team':
        sorted.teams.push(change.data);
        break;
      case 'cannedResponse':
        sorted.cannedResponses.push(change.data);
        break;
      case 'removal':
        sorted.removals.push(change.data.id);
        break;
    }
  }
  return sorted;
}

function entityTables(
  db: ParleyDb,
): [
  ParleyDb['agents'],
  ParleyDb['contacts'],
  ParleyDb['conversations'],
  ParleyDb['messages'],
  ParleyDb['channelAccounts'],
  ParleyDb['templates'],
  ParleyDb['teams'],
  ParleyDb['cannedResponses'],
  ParleyDb['history'],
] {
  return [
    db.agents,
    db.contacts,
    db.conversations,
    db.messages,
    db.channelAccounts,
    db.templates,
    db.teams,
    db.cannedResponses,
    db.history,
  ];
}

async function putAll(db: ParleyDb, sorted: Sorted): Promise<void> {
  await Promise.all([
    putVersions(db.agents, sorted.agents),
    putVersions(db.contacts, sorted.contacts),
    putVersions(db.conversations, sorted.conversations),
    putMessages(db, sorted.messages),
    putVersions(db.channelAccounts, sorted.channelAccounts),
    putVersions(db.templates, sorted.templates),
    putVersions(db.teams, sorted.teams),
    putCannedResponses(db, sorted.cannedResponses),
  ]);
  if (sorted.removals.length > 0) await removeConversations(db, sorted.removals);
}

/**
 * Forgets conversations this user may no longer see: the conversation, every cached
 * message of it, what was known of its history, and its contact when no conversation left
 * here is theirs (with the contacts merged into it). Media bytes are never stored in the
 * cache (views fetch them for as long as they show them), and the search worker drops
 * what it indexed of a conversation once the conversation is gone from here. A removal
 * comes after any change to the same conversation in the batch, so nothing brings it back.
 */
async function removeConversations(db: ParleyDb, conversationIds: readonly string[]): Promise<void> {
  const removed = (await db.conversations.bulkGet([...conversationIds])).filter(
    (conversation): conversation is Conversation => conversation !== undefined,
  );
  await Promise.all([
    db.conversations.bulkDelete([...conversationIds]),
    ...conversationIds.map((id) =>
      db.messages.where('[conversationId+createdAt]').between([id, Dexie.minKey], [id, Dexie.maxKey]).delete(),
    ),
    db.history.bulkDelete([...conversationIds]),
  ]);
  const contactIds = [...new Set(removed.map((conversation) => conversation.contactId))];
  if (contactIds.length === 0) return;
  const stillShown = new Set(
    (await db.conversations.where('contactId').anyOf(contactIds).toArray()).map(
      (conversation) => conversation.contactId,
    ),
  );
  const orphans = contactIds.filter((id) => !stillShown.has(id));
  if (orphans.length === 0) return;
  const mergedAway = await db.contacts.where('mergedInto').anyOf(orphans).primaryKeys();
  const mergedShown = new Set(
    (await db.conversations.where('contactId').anyOf(mergedAway).toArray()).map(
      (conversation) => conversation.contactId,
    ),
  );
  await db.contacts.bulkDelete([...orphans, ...mergedAway.filter((id) => !mergedShown.has(id))]);
}

/**
 * Canned responses by the seq rule; a deleted one (sent once with `deleted`) is kept as
 * such, so that an older version arriving later cannot bring it back, and views skip it.
 */
async function putCannedResponses(db: ParleyDb, rows: readonly CannedResponse[]): Promise<void> {
  await putVersions(db.cannedResponses, rows);
}

/** `putNewer` for tables without a unique index, where nothing can be refused. */
async function putVersions<T extends Versioned>(table: EntityTable<T, 'id'>, rows: readonly T[]): Promise<void> {
  const refused = await putNewer(table, rows);
  if (refused.length > 0) throw new Dexie.ConstraintError(`${table.name}: ${refused.length} rows refused`);
}

/**
 * Applies changes and the new cursor in one transaction. Idempotent: a row is replaced
 * only by a version with a higher or equal seq, so replays and out-of-order batches
 * never move data backwards.
 */
export async function applyChanges(db: ParleyDb, changes: readonly Change[], cursor: number): Promise<void> {
  const sorted = sortChanges(changes);
  await db.transaction('rw', [...entityTables(db), db.meta], async () => {
    // The cursor's row is not among the changes, so it is read and written alongside them
    // rather than after: the transaction still commits both or neither, one round trip sooner.
    await Promise.all([putAll(db, sorted), moveCursor(db, cursor)]);
  });
}

/**
 * Applies changes with their cursor, making room when the device is short of storage. A
 * write too large to fit even after evictions (a burst of live batches coalesced into one,
 * on a device with little room) is split in halves, each stored with the cursor of its
 * last change, so the cache keeps up in smaller steps instead of stalling.
 */
export async function applyChangesFitting(db: ParleyDb, changes: readonly Change[], cursor: number): Promise<void> {
  try {
    await withQuotaRecovery(db, () => applyChanges(db, changes, cursor));
  } catch (error) {
    if (!isQuotaError(error) || changes.length < 2) throw error;
    const ordered = [...changes].sort((a, b) => a.data.seq - b.data.seq);
    const first = ordered.slice(0, Math.ceil(ordered.length / 2));
    await applyChangesFitting(db, first, Math.max(...first.map((change) => change.data.seq)));
    await applyChangesFitting(db, ordered.slice(first.length), cursor);
  }
}

async function moveCursor(db: ParleyDb, cursor: number): Promise<void> {
  const current = (await db.meta.get('cursor'))?.value ?? 0;
  const syncedAt = { key: 'lastSyncedAt', value: Date.now() } as const;
  await db.meta.bulkPut(cursor > current ? [{ key: 'cursor', value: cursor }, syncedAt] : [syncedAt]);
}

/**
 * Stores entities a request answered with (the message a send created) without moving the
 * cursor: the same versions arrive again through the change feed, and the seq rule keeps
 * whichever is newer.
 */
export async function applyEntities(db: ParleyDb, changes: readonly Change[]): Promise<void> {
  if (changes.length === 0) return;
  const sorted = sortChanges(changes);
  await db.transaction('rw', entityTables(db), async () => {
    await putAll(db, sorted);
  });
}

/**
 * Stores messages by the seq rule, replacing the optimistic copy of any of them (same
 * clientId, the local id) with the server's version. Runs inside the caller's transaction,
 * which must cover `messages`.
 */
export async function putMessages(db: ParleyDb, messages: readonly Message[]): Promise<void> {
  if (messages.length === 0) return;
  // Most messages have no optimistic copy (inbound ones have no clientId at all), so rather
  // than look every clientId up first, put them all and let the unique clientId index say
  // which collide: only those are looked up, their copies dropped, and put again.
  const refused = await putNewer(db.messages, messages);
  if (refused.length === 0) return;
  const ids = new Set(messages.map((message) => message.id));
  const clientIds = refused.flatMap((message) => (message.clientId === null ? [] : [message.clientId]));
  // Keys only: which rows hold those clientIds is all we need, not the rows themselves.
  const holders = await db.messages.where('clientId').anyOf(clientIds).primaryKeys();
  const stale = holders.filter((id) => !ids.has(id));
  if (stale.length > 0) await db.messages.bulkDelete(stale);
  // Refused again (two messages of this batch with one clientId) fails the transaction.
  await db.messages.bulkPut(refused);
}

/**
 * Rows per burst of put requests. Queuing a put clones its row on the main thread (about
 * 20 µs for a message), so bursts of 500, two at first, keep tasks under 50 ms.
 */
const PUT_CHUNK = 500;

/** Below this many rows a key range is not worth splitting further: their rows are just read. */
const SPLIT_MIN = 32;

/**
 * Puts the rows that are not older than what is stored (the seq rule). Returns the rows a
 * unique index refused, unwritten, for the caller to resolve; any other failure throws.
 */
async function putNewer<T extends Versioned>(table: EntityTable<T, 'id'>, rows: readonly T[]): Promise<T[]> {
  if (rows.length === 0) return [];
  const ids = new Set<string>();
  for (const row of rows) ids.add(row.id);
  // Keep the newest of duplicates within the batch itself. Batches rarely have any, so the
  // map is only built when the set of ids shows there are.
  let candidates: readonly T[] = rows;
  if (ids.size < rows.length) {
    const latest = new Map<string, T>();
    for (const row of rows) {
      const seen = latest.get(row.id);
      if (seen === undefined || row.seq >= seen.seq) latest.set(row.id, row);
    }
    candidates = [...latest.values()];
  }
  const maybeStored = await storedIds(table, candidates, ids);
  let newer = candidates;
  if (maybeStored.length > 0) {
    // Only rows that exist are read whole, for their seq.
    const stored = await table.bulkGet(maybeStored as IDType<T, 'id'>[]);
    const storedSeq = new Map<string, number>();
    for (const row of stored) if (row !== undefined) storedSeq.set(row.id, row.seq);
    if (storedSeq.size > 0) {
      newer = candidates.filter((row) => {
        const seq = storedSeq.get(row.id);
        return seq === undefined || row.seq >= seq;
      });
    }
  }
  return putInBursts(table, newer);
}

/**
 * Ids of `rows` the table may already hold, found by reading keys only (one request) over
 * the range the rows' ids span, instead of one read per row: on a first sync, or for ids
 * that grow with time as server ids do, that range holds nothing yet. Where it holds many
 * other rows the range is split, to isolate a few old ids among new ones; ranges too small
 * or too crowded to split return all their ids, to be read as before.
 */
async function storedIds<T extends Versioned>(
  table: EntityTable<T, 'id'>,
  rows: readonly T[],
  wanted: ReadonlySet<string>,
): Promise<string[]> {
  let low = rows[0]?.id ?? '';
  let high = low;
  // String keys sort by UTF-16 code unit in IndexedDB, as JavaScript compares them.
  for (const row of rows) {
    if (row.id < low) low = row.id;
    if (row.id > high) high = row.id;
  }
  const found = await keysInRange(table, low, high, rows.length);
  if (found !== null) return found.filter((id) => wanted.has(id));
  const sorted = rows.map((row) => row.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return storedIdsSorted(table, sorted, wanted);
}

async function storedIdsSorted<T extends Versioned>(
  table: EntityTable<T, 'id'>,
  ids: readonly string[],
  wanted: ReadonlySet<string>,
): Promise<string[]> {
  if (ids.length <= SPLIT_MIN) return [...ids];
  const half = Math.ceil(ids.length / 2);
  const parts = [ids.slice(0, half), ids.slice(half)];
  const found = await Promise.all(
    parts.map((part) => keysInRange(table, part[0] ?? '', part[part.length - 1] ?? '', part.length)),
  );
  // Both halves crowded: the rows are spread among stored ones, where splitting on would
  // read more keys than there are rows. Read the rows instead.
  if (found.every((keys) => keys === null)) return [...ids];
  const resolved = await Promise.all(
    parts.map(async (part, index) => {
      const keys = found[index] ?? null;
      return keys === null ? storedIdsSorted(table, part, wanted) : keys.filter((id) => wanted.has(id));
    }),
  );
  return resolved.flat();
}

/**
 * Every key stored between `low` and `high` (inclusive), or null when there are more than
 * twice `count`: past that, reading keys the batch does not have costs more than splitting.
 */
async function keysInRange<T extends Versioned>(
  table: EntityTable<T, 'id'>,
  low: string,
  high: string,
  count: number,
): Promise<string[] | null> {
  const limit = 2 * count + 1;
  const keys = await table.where(':id').between(low, high, true, true).limit(limit).primaryKeys();
  return keys.length < limit ? keys : null;
}

/**
 * Puts rows in bursts of PUT_CHUNK within the caller's transaction, queuing the next burst
 * while the store still writes the previous one: the main thread is free between bursts,
 * and IndexedDB is never left idle waiting for it. Returns the rows a unique index refused.
 */
async function putInBursts<T extends Versioned>(table: EntityTable<T, 'id'>, rows: readonly T[]): Promise<T[]> {
  const refused: T[] = [];
  if (rows.length === 0) return refused;
  const burst = (start: number): Promise<void> => {
    const done = table.bulkPut(rows.slice(start, start + PUT_CHUNK)).then(
      () => undefined,
      (error: unknown) => collectRefused(error, rows, start, refused),
    );
    // A failure is still thrown where the burst is awaited; this only keeps a later burst
    // from being reported as unhandled while an earlier one is awaited, or after it threw.
    done.catch(() => undefined);
    return done;
  };
  let previous = burst(0);
  for (let start = PUT_CHUNK; start < rows.length; start += PUT_CHUNK) {
    const current = burst(start);
    await previous;
    previous = current;
  }
  await previous;
  return refused;
}

/** Adds the rows of a burst a unique index refused (ConstraintError) to `refused`; rethrows anything else. */
function collectRefused<T>(error: unknown, rows: readonly T[], start: number, refused: T[]): void {
  if (!(error instanceof Dexie.BulkError)) throw error;
  for (const [position, failure] of Object.entries(error.failuresByPos)) {
    const row = rows[start + Number(position)];
    if (failure.name !== 'ConstraintError' || row === undefined) throw error;
    refused.push(row);
  }
}
