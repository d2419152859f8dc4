import type { Agent, ContactIdentity, Conversation } from '@parley/protocol';
import { MAX_MERGE_HOPS, phoneText } from '../../domain/contacts.js';

/** How many previous conversations the panel shows at first, and how many more each "show more" adds. */
export const CONVERSATION_PAGE = 20;

/** The longest note about a contact the server accepts (`contact.setNote`). */
export const NOTE_MAX_LENGTH = 4000;

/**
 * Merging joins two customers' histories: a supervisor's or an admin's decision, as the
 * server's `contact.merge` permission says (the server checks it again).
 */
export function mayMerge(me: Pick<Agent, 'role'>): boolean {
  return me.role === 'supervisor' || me.role === 'admin';
}

/**
 * Every contact id that stands for one person: the contact itself and every contact merged
 * into it, directly or through a chain. `mergedInto` answers, for a set of ids, the contacts
 * merged into any of them (one indexed read a level). Stops after MAX_MERGE_HOPS levels and
 * never visits an id twice, so a cycle (a server bug) cannot loop.
 */
export async function collectMerged(
  rootId: string,
  mergedInto: (ids: readonly string[]) => Promise<readonly string[]>,
): Promise<string[]> {
  const seen = new Set<string>([rootId]);
  let frontier: string[] = [rootId];
  for (let hop = 0; hop < MAX_MERGE_HOPS && frontier.length > 0; hop += 1) {
    const next: string[] = [];
    for (const id of await mergedInto(frontier)) {
      if (seen.has(id)) continue;
      seen.add(id);
      next.push(id);
    }
    frontier = next;
  }
  return [...seen];
}

/**
 * The conversations worth listing for a person: newest activity first. A conversation a
 * merge emptied (it stays, with no last message, under the contact merged away) says
 * nothing, so it is left out; one of the contact itself is kept even when empty.
 */
export function personConversations(conversations: readonly Conversation[], contactId: string): Conversation[] {
  return conversations
    .filter((conversation) => conversation.contactId === contactId || conversation.preview !== null)
    .sort((a, b) => b.lastMessageAt - a.lastMessageAt || a.id.localeCompare(b.id));
}

/** The labels on any of the person's conversations, each once, in alphabetical order. */
export function labelsOf(conversations: readonly Conversation[], lang: string): string[] {
  const labels = new Set<string>();
  for (const conversation of conversations) for (const label of conversation.labels) labels.add(label);
  return [...labels].sort((a, b) => a.localeCompare(b, lang, { sensitivity: 'base' }) || a.localeCompare(b));
}

/** Up to two letters for an avatar without a picture: "Mariana Souza" → "MS". */
export function initials(name: string): string {
  const parts = name
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .trim()
    .split(/\s+/);
  const first = [...(parts[0] ?? '')][0] ?? '';
  const second = [...(parts[1] ?? '')][0] ?? '';
  return (first + second).toUpperCase() || '?';
}

/**
 * An identity as an agent reads it: a WhatsApp number with its "+", any other id as the
 * platform gave it.
 */
export function identityValue(identity: ContactIdentity): string {
  return identity.kind === 'wa_id' ? phoneText(identity.externalId) : identity.externalId;
}

/** The identities in a steady order: by channel (WhatsApp, Messenger, Instagram), then kind, then id. */
export function sortedIdentities(identities: readonly ContactIdentity[]): ContactIdentity[] {
  const channelOrder = { whatsapp: 0, messenger: 1, instagram: 2 } as const;
  const kindOrder = { wa_id: 0, bsuid: 1, psid: 2, igsid: 3 } as const;
  return [...identities].sort(
    (a, b) =>
      channelOrder[a.channel] - channelOrder[b.channel] ||
      kindOrder[a.kind] - kindOrder[b.kind] ||
      a.externalId.localeCompare(b.externalId),
  );
}

/**
 * What the note field says about its text:
 * - 'editing': changed here and not yet handed to the outbox (a pause or leaving the field does);
 * - 'waiting': in the outbox, not yet accepted by the server (offline, or on its way);
 * - 'failed': the server refused the last change;
 * - 'saved': the server has the text shown;
 * - 'idle': nothing was changed here.
 */
export type NoteStatus = 'idle' | 'editing' | 'waiting' | 'failed' | 'saved';

export function noteStatus(input: {
  /** The text in the field differs from the last one handed to the outbox. */
  dirty: boolean;
  /** States of this contact's note changes still in the outbox, oldest first. */
  outbox: readonly ('queued' | 'sending' | 'failed')[];
  /** A change was made here since the panel opened on this contact. */
  changedHere: boolean;
}): NoteStatus {
  if (input.dirty) return 'editing';
  if (input.outbox.some((state) => state !== 'failed')) return 'waiting';
  if (input.outbox.length > 0) return 'failed';
  return input.changedHere ? 'saved' : 'idle';
}
