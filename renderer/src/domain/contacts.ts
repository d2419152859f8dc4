import type { Contact } from '@parley/protocol';

/** Merges can chain (A into B, later B into C); a cycle would be a server bug, so stop. */
export const MAX_MERGE_HOPS = 8;

/**
 * The contact to show for `id`: a contact merged into another is shown as that one. When
 * the target is not cached yet, the merged contact itself is the best there is.
 */
export function resolveContact(
  contacts: ReadonlyMap<string, Contact>,
  id: string | null | undefined,
): Contact | undefined {
  if (id === null || id === undefined) return undefined;
  let contact = contacts.get(id);
  for (let hop = 0; contact?.mergedInto !== null && contact !== undefined && hop < MAX_MERGE_HOPS; hop += 1) {
    const target = contacts.get(contact.mergedInto);
    if (target === undefined) break;
    contact = target;
  }
  return contact;
}

/** The duplicates worth proposing: cached, not merged away, and not the contact itself. */
export function mergeCandidates(contacts: ReadonlyMap<string, Contact>, contact: Contact): Contact[] {
  const candidates = new Map<string, Contact>();
  for (const id of contact.possibleDuplicates) {
    const candidate = resolveContact(contacts, id);
    if (candidate !== undefined && candidate.id !== contact.id && candidate.mergedInto === null) {
      candidates.set(candidate.id, candidate);
    }
  }
  return [...candidates.values()];
}

/** A phone number as agents dial it: the digits WhatsApp gives get their international "+". */
export function phoneText(phone: string): string {
  return /^\d+$/.test(phone) ? `+${phone}` : phone;
}
