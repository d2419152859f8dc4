import type { EntityTable, IDType } from 'dexie';
import type { Agent, Change, Contact, Conversation, Message } from '@parley/protocol';
import type { ParleyDb } from '../data/db.js';

type Versioned = { id: string; seq: number };

/**
 * Applies changes and the new cursor in one transaction. Idempotent: a row is replaced
 * only by a version with a higher or equal seq, so replays and out-of-order batches
 * never move data backwards.
 */
export async function applyChanges(db: ParleyDb, changes: readonly Change[], cursor: number): Promise<void> {
  const agents: Agent[] = [];
  const contacts: Contact[] = [];
  const conversations: Conversation[] = [];
  const messages: Message[] = [];
  for (const change of changes) {
    switch (change.entity) {
      case 'agent':
        agents.push(change.data);
        break;
      case 'contact':
        contacts.push(change.data);
        break;
      case 'conversation':
        conversations.push(change.data);
        break;
      case 'message':
        messages.push(change.data);
        break;
    }
  }

  await db.transaction('rw', [db.agents, db.contacts, db.conversations, db.messages, db.meta], async () => {
    await Promise.all([
      putNewer(db.agents, agents),
      putNewer(db.contacts, contacts),
      putNewer(db.conversations, conversations),
      putNewer(db.messages, messages),
    ]);
    const current = (await db.meta.get('cursor'))?.value ?? 0;
    if (cursor > current) await db.meta.put({ key: 'cursor', value: cursor });
    await db.meta.put({ key: 'lastSyncedAt', value: Date.now() });
  });
}

async function putNewer<T extends Versioned>(table: EntityTable<T, 'id'>, rows: readonly T[]): Promise<void> {
  if (rows.length === 0) return;
  // Keep the newest of duplicates within the batch itself.
  const latest = new Map<string, T>();
  for (const row of rows) {
    const seen = latest.get(row.id);
    if (seen === undefined || row.seq >= seen.seq) latest.set(row.id, row);
  }
  const candidates = [...latest.values()];
  const stored = await table.bulkGet(candidates.map((row) => row.id as IDType<T, 'id'>));
  const newer = candidates.filter((row, index) => {
    const existing = stored[index];
    return existing === undefined || row.seq >= existing.seq;
  });
  if (newer.length > 0) await table.bulkPut(newer);
}
