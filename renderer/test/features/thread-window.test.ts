import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '@parley/protocol';
import { ParleyDb } from '../../src/data/db.js';
import {
  findTarget,
  lowerFloor,
  olderFloor,
  pinnedFloor,
  readOlder,
  readWindow,
  sameMessages,
  type WindowFloor,
} from '../../src/data/threadWindow.js';
import { mentionParts } from '../../src/features/conversation/messages/mentionParts.js';
import {
  FIRST_INDEX_START,
  dayLabel,
  dayOf,
  nextFirstIndex,
  threadItems,
  unseenCount,
} from '../../src/features/conversation/thread/threadItems.js';
import { DAY, HOUR, message } from '../fixtures.js';

/** The thread's window of messages, its rows and days, and the index that keeps the view still. */

const NOON = new Date(2026, 5, 10, 12, 0).getTime();

function numbered(count: number, from = 1, at = (n: number) => NOON + n * 60_000): Message[] {
  return Array.from({ length: count }, (_, index) => {
    const n = from + index;
    return message({ id: `m${n}`, createdAt: at(n), externalId: `wamid.${n}`, text: `#${n}` });
  });
}

describe('the thread rows', () => {
  it('puts a separator where the day changes, and above the first message only at the beginning', () => {
    const messages = [
      message({ id: 'a', createdAt: NOON - DAY }),
      message({ id: 'b', createdAt: NOON - DAY + HOUR }),
      message({ id: 'c', createdAt: NOON }),
    ];
    expect(threadItems(messages, false).map((item) => item.key)).toEqual(['a', 'b', `day:${dayOf(NOON)}`, 'c']);
    expect(threadItems(messages, true).map((item) => item.key)).toEqual([
      `day:${dayOf(NOON - DAY)}`,
      'a',
      'b',
      `day:${dayOf(NOON)}`,
      'c',
    ]);
  });

  it('lowers the first index by every row added above the old first message, separators included', () => {
    const before = threadItems(numbered(3, 10), false);
    const after = threadItems([...numbered(5, 1, (n) => NOON - DAY + n * 60_000), ...numbered(3, 10)], false);
    // Five older messages and the separator of the day that changed between them and the old first.
    expect(nextFirstIndex(FIRST_INDEX_START, before, after)).toBe(FIRST_INDEX_START - 6);
    // A message added at the end leaves it alone.
    expect(nextFirstIndex(500, before, [...before, ...threadItems(numbered(1, 13), false)])).toBe(500);
    // The beginning reached adds its separator on top: one more row above.
    expect(nextFirstIndex(500, before, threadItems(numbered(3, 10), true))).toBe(499);
  });

  it('names the days: today, yesterday, then a date in the agent language', () => {
    expect(dayLabel(dayOf(NOON), NOON + HOUR, 'en')).toBe('Today');
    expect(dayLabel(dayOf(NOON - DAY), NOON, 'en')).toBe('Yesterday');
    expect(dayLabel(dayOf(NOON - DAY), NOON, 'fr')).toBe('Hier');
    expect(dayLabel(dayOf(NOON - 3 * DAY), NOON, 'fr')).toBe('dimanche 7 juin');
    expect(dayLabel(dayOf(NOON - 400 * DAY), NOON, 'en')).toContain('2025');
  });

  it('counts the messages after the last one seen, not the system lines', () => {
    const messages = [...numbered(4), message({ id: 'x', kind: 'activity', createdAt: NOON + HOUR })];
    expect(unseenCount(messages, 'm2')).toBe(2);
    expect(unseenCount(messages, 'm4')).toBe(0);
    expect(unseenCount(messages, null)).toBe(0);
    expect(unseenCount(messages, 'gone')).toBe(0);
  });
});

describe('mentions in a note', () => {
  it('marks the mentioned names, longest first, and keeps markup as text', () => {
    expect(mentionParts('@Ana Lima and @Ana, <b>see</b>', ['Ana', 'Ana Lima'])).toEqual([
      { kind: 'mention', text: '@Ana Lima' },
      { kind: 'text', text: ' and ' },
      { kind: 'mention', text: '@Ana' },
      { kind: 'text', text: ', <b>see</b>' },
    ]);
    expect(mentionParts('@Ben is not mentioned', ['Ana'])).toEqual([{ kind: 'text', text: '@Ben is not mentioned' }]);
    expect(mentionParts('mail (a.b)@x', ['x'])).toEqual([
      { kind: 'text', text: 'mail (a.b)' },
      { kind: 'mention', text: '@x' },
    ]);
  });
});

describe('the window floor', () => {
  const page = numbered(60);
  it('pins a full first page at its oldest message, a short one at the beginning', () => {
    expect(pinnedFloor(page, 60)).toEqual({ kind: 'since', createdAt: page[0]?.createdAt });
    expect(pinnedFloor(page.slice(0, 10), 60)).toEqual({ kind: 'all' });
    expect(olderFloor([...page].reverse(), 60)).toEqual({ kind: 'since', createdAt: page[0]?.createdAt });
    expect(olderFloor([], 60)).toEqual({ kind: 'all' });
  });
  it('keeps the lower of two floors', () => {
    const a: WindowFloor = { kind: 'since', createdAt: 5 };
    const b: WindowFloor = { kind: 'since', createdAt: 9 };
    expect(lowerFloor(a, b)).toBe(a);
    expect(lowerFloor(b, { kind: 'newest' })).toBe(b);
    expect(lowerFloor(b, { kind: 'all' })).toEqual({ kind: 'all' });
  });
});

describe('reading the window by index', () => {
  let db: ParleyDb | null = null;
  afterEach(async () => {
    db?.close();
    if (db !== null) await Dexie.delete(db.name);
    db = null;
  });

  it('reads the newest page, then older pages, without the other conversations', async () => {
    db = new ParleyDb(`thread-window-${Date.now()}`);
    await db.open();
    const thread = numbered(200);
    await db.messages.bulkPut(thread);
    await db.messages.bulkPut(
      numbered(30, 1000).map((other) => ({ ...other, conversationId: 'c2', externalId: `other.${other.id}` })),
    );

    const first = await readWindow(db, 'c1', { kind: 'newest' }, 60);
    expect(first.map((item) => item.id)).toEqual(thread.slice(140).map((item) => item.id));

    const older = await readOlder(db, 'c1', first[0]?.createdAt ?? 0, 80);
    expect(older).toHaveLength(80);
    expect(older[0]?.id).toBe('m140');
    expect(older.at(-1)?.id).toBe('m61');

    const widened = await readWindow(db, 'c1', olderFloor(older, 80));
    expect(widened).toHaveLength(140);
    expect(widened[0]?.id).toBe('m61');
    expect(await readWindow(db, 'c1', { kind: 'all' })).toHaveLength(200);

    expect((await findTarget(db, 'c1', { messageId: null, externalId: 'wamid.5' }))?.id).toBe('m5');
    expect((await findTarget(db, 'c1', { messageId: 'm7', externalId: null }))?.id).toBe('m7');
    // Another conversation's message is not this thread's to show.
    expect(await findTarget(db, 'c1', { messageId: 'm1000', externalId: null })).toBeUndefined();
  });
});

describe('a window read again', () => {
  it('keeps the objects of the messages that did not change, and the array when none did', () => {
    const first = [message({ id: 'a', createdAt: 1 }), message({ id: 'b', createdAt: 2 })];
    const again = first.map((each) => ({ ...each }));
    expect(sameMessages(first, again)).toBe(first);

    const edited = [{ ...first[0]! }, { ...first[1]!, text: 'changed' }];
    const kept = sameMessages(first, edited);
    expect(kept).not.toBe(first);
    expect(kept[0]).toBe(first[0]);
    expect(kept[1]).toBe(edited[1]);

    const grown = [message({ id: 'z', createdAt: 0 }), ...first.map((each) => ({ ...each }))];
    const widened = sameMessages(first, grown);
    expect(widened).toHaveLength(3);
    expect(widened[1]).toBe(first[0]);
    expect(widened[2]).toBe(first[1]);
  });
});
