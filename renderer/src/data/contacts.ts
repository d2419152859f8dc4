import type { Contact } from '@parley/protocol';
import { MAX_MERGE_HOPS } from '../domain/contacts.js';
import type { ParleyDb } from './db.js';

/** `resolveContact` read from the cache one hop at a time, for code that has no map of every contact. */
export async function resolveContactIn(db: ParleyDb, id: string | null | undefined): Promise<Contact | undefined> {
  if (id === null || id === undefined) return undefined;
  let contact = await db.contacts.get(id);
  for (let hop = 0; contact?.mergedInto !== null && contact !== undefined && hop < MAX_MERGE_HOPS; hop += 1) {
    const target = await db.contacts.get(contact.mergedInto);
    if (target === undefined) break;
    contact = target;
  }
  return contact;
}
