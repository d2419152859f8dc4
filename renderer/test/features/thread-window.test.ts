import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '@parley/protocol';
import { ParleyDb } from '../../src/data/db.js';
import {
  findTarget,
  joinPages,
  lowerFloor,
  pageRanges,
  olderFloor,
  pinnedFloor,
  readOlder,
  readOpening,
  readRange,
  readWindow,
  sameMessages,
  type WindowFloor,
} from '../../src/data/threadWindow.js';
import { mentionParts } from '../../src/features/conversation/messages/mentionParts.js';
import { sameRow, type RowContext, type RowProps } from '../../src/features/conversation/thread/rowContext.js';
import { dayLabel, dayOf, threadItems, unseenCount } from '../../src/features/conversation/thread/threadItems.js';
import { DAY, HOUR, conversationAt, message } from '../fixtures.js';

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

  it("reads a thread's first screen in one go: the conversation, its newest page, its history", async () => {
    db = new ParleyDb(`thread-opening-${Date.now()}`);
    await db.open();
    const thread = numbered(100);
    await db.conversations.put(conversationAt('whatsapp', NOON));
    await db.messages.bulkPut(thread);
    await db.history.put({ conversationId: 'c1', hasMore: false, requestedAt: null });

    const opening = await readOpening(db, 'c1');
    expect(opening.conversationId).toBe('c1');
    expect(opening.conversation?.id).toBe('c1');
    expect(opening.messages.map((item) => item.id)).toEqual(thread.slice(40).map((item) => item.id));
    expect(opening.history?.hasMore).toBe(false);
    // A full first page pins the window at its oldest message.
    expect(pinnedFloor(opening.messages, 60)).toEqual({ kind: 'since', createdAt: thread[40]?.createdAt });

    const missing = await readOpening(db, 'c9');
    expect(missing.conversation).toBeUndefined();
    expect(missing.messages).toEqual([]);
  });
});

describe('the older pages of a window', () => {
  it('runs each page from its bound up to the page above it, the first up to the pin', () => {
    expect(pageRanges({ kind: 'since', createdAt: 100 }, [60, 20, 'min'])).toEqual([
      { key: '60:100', from: 60, to: 100 },
      { key: '20:60', from: 20, to: 60 },
      { key: 'min:20', from: 'min', to: 20 },
    ]);
    // A first page that holds the whole thread has nothing below it.
    expect(pageRanges({ kind: 'all' }, [60])).toEqual([]);
  });

  it('joins the pages read without a gap, oldest first, before the first page', () => {
    const ranges = pageRanges({ kind: 'since', createdAt: 100 }, [60, 20]);
    const live = [message({ id: 'l', createdAt: 100 })];
    const near = [message({ id: 'n', createdAt: 70 })];
    const far = [message({ id: 'f', createdAt: 30 })];
    expect(joinPages(ranges, new Map([['60:100', near]]), live)?.map((each) => each.id)).toEqual(['n', 'l']);
    expect(
      joinPages(
        ranges,
        new Map([
          ['60:100', near],
          ['20:60', far],
        ]),
        live,
      )?.map((each) => each.id),
    ).toEqual(['f', 'n', 'l']);
    // A far page read before the near one waits for it: the thread never shows a gap.
    expect(joinPages(ranges, new Map([['20:60', far]]), live)).toBe(live);
    expect(joinPages(ranges, new Map(), undefined)).toBeUndefined();
  });

  it('reads a page by index: its bound included, the page above excluded', async () => {
    const db = new ParleyDb(`thread-pages-${Date.now()}`);
    await db.open();
    try {
      const thread = numbered(10);
      await db.messages.bulkPut(thread);
      const [upper, lower] = pageRanges({ kind: 'since', createdAt: thread[6]!.createdAt }, [
        thread[3]!.createdAt,
        'min',
      ]);
      expect((await readRange(db, 'c1', upper!)).map((each) => each.id)).toEqual(['m4', 'm5', 'm6']);
      expect((await readRange(db, 'c1', lower!)).map((each) => each.id)).toEqual(['m1', 'm2', 'm3']);
    } finally {
      db.close();
      await Dexie.delete(db.name);
    }
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

describe('a row rendered again', () => {
  const context: RowContext = {
    quoted: undefined,
    templates: undefined,
    contactName: '',
    hasOlder: true,
    online: true,
    activityNames: { agents: new Map(), teams: new Map() },
    jumpTo: () => undefined,
    onReply: () => undefined,
    onReact: () => undefined,
  };
  const row = (item: RowProps['item'], shared: RowContext = context): RowProps => ({
    item,
    now: 0,
    highlighted: false,
    context: shared,
  });

  it('stays as it is when the thread learns a part the row does not read', () => {
    const plain = { kind: 'message', key: 'a', message: message({ id: 'a' }) } as const;
    const named = {
      ...context,
      contactName: 'Ana',
      activityNames: { agents: new Map([['u1', 'Ana']]), teams: new Map() },
    };
    expect(sameRow(row(plain), row(plain, { ...named, templates: [] }))).toBe(true);
    expect(sameRow(row(plain), row(plain, { ...context, quoted: { byId: new Map(), byExternalId: new Map() } }))).toBe(
      true,
    );
  });

  it('renders again for a part it reads, or for a change of its own', () => {
    const reply = {
      kind: 'message',
      key: 'b',
      message: message({ id: 'b', replyTo: { messageId: 'a', externalId: null, storyUrl: null } }),
    } as const;
    expect(sameRow(row(reply), row(reply, { ...context, contactName: 'Ana' }))).toBe(false);
    const note = { kind: 'message', key: 'n', message: message({ id: 'n', kind: 'note' }) } as const;
    expect(sameRow(row(note), row(note, { ...context, activityNames: { agents: new Map(), teams: new Map() } }))).toBe(
      false,
    );
    const pending = {
      kind: 'message',
      key: 'p',
      message: message({ id: 'p', direction: 'outbound', status: 'pending' }),
    } as const;
    expect(sameRow(row(pending), row(pending, { ...context, online: false }))).toBe(false);
    const edited = { ...reply, message: { ...reply.message, text: 'changed' } };
    expect(sameRow(row(reply), row(edited))).toBe(false);
    expect(sameRow(row(reply), { ...row(reply), highlighted: true })).toBe(false);
  });
});
