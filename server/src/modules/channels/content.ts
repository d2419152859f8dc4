import { createHash } from 'node:crypto';
import type { MessageContent } from './types.js';

/** Helpers the channel parsers share. Pure: no I/O. */

/** A message's content with every optional part empty; parsers fill in what the payload has. */
export function messageContent(parts: Partial<MessageContent> & Pick<MessageContent, 'kind'>): MessageContent {
  return {
    text: null,
    attachments: [],
    location: null,
    sharedContacts: [],
    replyTo: null,
    interactive: null,
    forwarded: 'no',
    ...parts,
  };
}

/** `null` for absent or blank strings, so "" never reaches a bubble. */
export function nonBlank(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}

/** Lines that are not blank, joined; null when none is left. */
export function joinLines(lines: readonly (string | null | undefined)[]): string | null {
  const kept = lines.map(nonBlank).filter((line): line is string => line !== null);
  return kept.length === 0 ? null : kept.join('\n');
}

/**
 * Milliseconds from a platform timestamp. Messenger and Instagram send milliseconds, but
 * Instagram's `changes[]` shape (and WhatsApp always) sends seconds, sometimes as a string:
 * any value below 10^12 (a date in 2001 when read as milliseconds) is taken as seconds.
 */
export function toMillis(value: number | string): number | null {
  const number = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(number) || number < 0) return null;
  return Math.round(number < 1e12 ? number * 1000 : number);
}

/**
 * A stable id for an event the platform gives none (a Messenger postback without `mid`):
 * the same event retried hashes to the same id, so the unique index deduplicates it.
 */
export function stableId(prefix: string, ...parts: readonly string[]): string {
  const hash = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
  return `${prefix}.${hash}`;
}
