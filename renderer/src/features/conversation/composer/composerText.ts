import type { Agent, CannedResponse } from '@parley/protocol';

/**
 * The composer's text rules, kept pure so they are tested without a screen: what the
 * caret is typing (`/shortcut` or `@name`), which canned responses and colleagues match,
 * how a canned response's variables are filled, and which mentions a note still carries.
 */

/** A `/shortcut` or `@name` the caret is at the end of: `start` is where its `/` or `@` is. */
export type Trigger = { kind: 'canned' | 'mention'; start: number; query: string };

const CANNED_QUERY = /^[\p{L}\p{N}_-]*$/u;
const MENTION_QUERY = /^[\p{L}\p{N}_.'-]*$/u;

/**
 * The trigger the caret is typing, if any: `/` or `@` at the start of the text or after a
 * space or line break, followed by the word typed so far. `@` only counts in a note.
 */
export function triggerAt(text: string, caret: number, allowMention: boolean): Trigger | null {
  const before = text.slice(0, caret);
  const start = Math.max(before.lastIndexOf(' '), before.lastIndexOf('\n'), before.lastIndexOf('\t')) + 1;
  const word = before.slice(start);
  const sign = word[0];
  const query = word.slice(1);
  if (sign === '/' && CANNED_QUERY.test(query)) return { kind: 'canned', start, query };
  if (sign === '@' && allowMention && MENTION_QUERY.test(query)) return { kind: 'mention', start, query };
  return null;
}

/** Replaces the trigger (from its sign to the caret) with `insert`; returns the new text and caret. */
export function replaceTrigger(
  text: string,
  trigger: Trigger,
  caret: number,
  insert: string,
): { text: string; caret: number } {
  const next = text.slice(0, trigger.start) + insert + text.slice(caret);
  return { text: next, caret: trigger.start + insert.length };
}

/** Lower case, accents off: "Éloïse" is found by "elo". */
export function fold(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** At most this many suggestions are listed; typing narrows them. */
export const SUGGESTION_LIMIT = 8;

/**
 * The canned responses `/query` offers: the shared ones and the agent's own, not deleted,
 * whose shortcut or title matches; a shortcut that starts with the query first.
 */
export function filterCanned(
  responses: readonly CannedResponse[],
  query: string,
  agentId: string,
  limit: number = SUGGESTION_LIMIT,
): CannedResponse[] {
  const q = fold(query);
  const ranked: { response: CannedResponse; rank: number }[] = [];
  for (const response of responses) {
    if (response.deleted) continue;
    if (response.ownerId !== null && response.ownerId !== agentId) continue;
    const shortcut = fold(response.shortcut);
    const rank =
      shortcut === q
        ? 0
        : shortcut.startsWith(q)
          ? 1
          : shortcut.includes(q)
            ? 2
            : fold(response.title).includes(q)
              ? 3
              : -1;
    if (rank >= 0) ranked.push({ response, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.response.shortcut.localeCompare(b.response.shortcut));
  return ranked.slice(0, limit).map((entry) => entry.response);
}

/**
 * The colleagues `@query` offers: active people other than the agent, whose name (any of
 * its words) or email starts with the query.
 */
export function filterColleagues(
  agents: readonly Agent[],
  query: string,
  agentId: string,
  limit: number = SUGGESTION_LIMIT,
): Agent[] {
  const q = fold(query);
  return agents
    .filter((agent) => agent.active && agent.kind === 'person' && agent.id !== agentId)
    .filter((agent) => {
      if (q === '') return true;
      const name = fold(agent.name);
      return (
        name.startsWith(q) || name.split(/\s+/).some((word) => word.startsWith(q)) || fold(agent.email).startsWith(q)
      );
    })
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** What `{{contact.name}}` and its kin are filled with; an empty name is left unfilled. */
export type CannedVariables = { contactName: string; agentName: string };

function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? '';
}

/**
 * A canned response's body with its variables filled. A variable this version does not
 * know, or one with no value (a contact without a name), stays as typed, so the agent sees
 * it in the composer and fills it by hand before sending.
 */
export function fillVariables(body: string, variables: CannedVariables): string {
  const values: Record<string, string> = {
    'contact.name': variables.contactName.trim(),
    'contact.first_name': firstName(variables.contactName),
    'agent.name': variables.agentName.trim(),
    'agent.first_name': firstName(variables.agentName),
  };
  return body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined || value === '' ? whole : value;
  });
}

/** The variables a body still has unfilled (shown so the agent completes them). */
export function unfilledVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*[\w.]+\s*\}\}/g)].map((match) => match[0]))];
}

/** A colleague picked with @ in a note. */
export type Mention = { id: string; name: string };

/** How a picked colleague is written in the note. */
export function mentionText(name: string): string {
  return `@${name}`;
}

/**
 * The ids of the picked colleagues whose `@Name` is still in the text, once each, in the
 * order they were picked: a mention the agent deleted no longer notifies anyone.
 */
export function mentionsInText(text: string, picked: readonly Mention[]): string[] {
  const ids: string[] = [];
  for (const mention of picked) {
    if (ids.includes(mention.id)) continue;
    if (containsMention(text, mention.name)) ids.push(mention.id);
  }
  return ids;
}

function containsMention(text: string, name: string): boolean {
  const needle = mentionText(name);
  let from = 0;
  for (;;) {
    const at = text.indexOf(needle, from);
    if (at < 0) return false;
    // "@Ann" is not in "@Anna": the name must end where a word ends.
    const next = text[at + needle.length];
    if (next === undefined || !/[\p{L}\p{N}_]/u.test(next)) return true;
    from = at + 1;
  }
}

/** A reply with the agent's signature under it, when they use one; notes never get it. */
export function withSignature(text: string, signature: string | null): string {
  if (signature === null || signature.trim() === '') return text;
  return `${text}\n\n${signature.trim()}`;
}

/** A Mac names its keys ⌘ and ⌥; other systems Ctrl and Alt. */
function onMac(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
}

/** The shortcut that switches between a reply and a note, as the keyboard shows it. */
export function noteShortcutLabel(mac: boolean = onMac()): string {
  return mac ? '⌘⌥N' : 'Ctrl+Alt+N';
}

/**
 * Ctrl+Alt+N (⌘⌥N on a Mac). The key is read by its place (`code`): ⌥N types a dead key on
 * a Mac. AltGr, which Windows reports as Ctrl+Alt, types letters on many layouts (ń in
 * Polish): it is left to typing.
 */
export function isNoteShortcut(
  event: Pick<KeyboardEvent, 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey' | 'code' | 'getModifierState'>,
  mac: boolean = onMac(),
): boolean {
  if (event.code !== 'KeyN' || !event.altKey || event.shiftKey) return false;
  if (event.getModifierState('AltGraph')) return false;
  return mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
}
