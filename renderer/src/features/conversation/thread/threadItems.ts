import type { Message } from '@parley/protocol';
import { t, type Locale } from '../../../common/i18n/index.js';

/** One row of the thread: a day's separator, or a message. */
export type ThreadItem = { kind: 'day'; key: string; day: number } | { kind: 'message'; key: string; message: Message };

/** Midnight (local time) of the day a moment falls on. */
export function dayOf(ms: number): number {
  const date = new Date(ms);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/**
 * The thread's rows: each message, with a separator where the day changes. The first
 * message gets one only at the beginning of the conversation (`atStart`): above a window
 * that older pages may still extend, the day of its first row is not known to begin there,
 * and a separator that moved up as rows were added would shift what is on screen.
 */
export function threadItems(messages: readonly Message[], atStart: boolean): ThreadItem[] {
  const items: ThreadItem[] = [];
  let currentDay: number | null = null;
  for (const message of messages) {
    const day = dayOf(message.createdAt);
    if (day !== currentDay && (currentDay !== null || atStart)) {
      items.push({ kind: 'day', key: `day:${day}`, day });
    }
    currentDay = day;
    items.push({ kind: 'message', key: message.id, message });
  }
  return items;
}

/** How a day's separator reads: "Today", "Yesterday", or a date in the agent's language. */
export function dayLabel(day: number, now: number, lang: Locale): string {
  const today = dayOf(now);
  if (day === today) return t('thread.today', {}, lang);
  // A day is not always 24 hours (daylight saving): compare calendar days.
  const yesterday = dayOf(today - 12 * 60 * 60 * 1000);
  if (day === yesterday) return t('thread.yesterday', {}, lang);
  const date = new Date(day);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(lang, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(date);
}

/**
 * How many messages came after the last one the agent saw at the bottom, for the
 * "N new messages" button: 0 when it is not in the window any more.
 */
export function unseenCount(messages: readonly Message[], lastSeenId: string | null): number {
  if (lastSeenId === null) return 0;
  let count = 0;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message === undefined || message.id === lastSeenId) return count;
    if (message.kind !== 'activity' && message.kind !== 'system') count += 1;
  }
  return 0;
}
