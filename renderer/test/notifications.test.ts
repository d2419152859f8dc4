import { describe, expect, it } from 'vitest';
import { t, tn } from '../src/common/i18n/index.js';
import { concernsAgent, planAnnouncement } from '../src/app/notifications.js';
import { summaryText } from '../src/app/useAnnouncements.js';
import { conversationAt, message } from './fixtures.js';

describe('announcing new messages', () => {
  const messages = (count: number, conversations: number): ReturnType<typeof message>[] =>
    Array.from({ length: count }, (_, i) => message({ id: `m${i}`, conversationId: `c${i % conversations}` }));

  it('sums up a catch-up in one line instead of a flood', () => {
    expect(planAnnouncement('catchUp', messages(14, 6))).toEqual({ kind: 'summary', messages: 14, conversations: 6 });
    expect(summaryText({ messages: 14, conversations: 6 })).toBe('14 new messages in 6 conversations');
    expect(summaryText({ messages: 1, conversations: 1 })).toBe('1 new message in 1 conversation');
  });

  it('tells a single missed message, and live ones, one by one', () => {
    expect(planAnnouncement('catchUp', messages(1, 1))).toMatchObject({ kind: 'each', messages: [{ id: 'm0' }] });
    expect(planAnnouncement('live', messages(3, 2))).toMatchObject({ kind: 'each' });
    expect(planAnnouncement('live', [])).toEqual({ kind: 'none' });
  });

  it('concerns the agent only for their own conversations and the unassigned queue', () => {
    expect(concernsAgent(conversationAt('whatsapp', 1, { assigneeId: null }), 'me')).toBe(true);
    expect(concernsAgent(conversationAt('whatsapp', 1, { assigneeId: 'me' }), 'me')).toBe(true);
    expect(concernsAgent(conversationAt('whatsapp', 1, { assigneeId: 'someone-else' }), 'me')).toBe(false);
    expect(concernsAgent(conversationAt('whatsapp', 1, { status: 'resolved' }), 'me')).toBe(false);
    expect(concernsAgent(undefined, 'me')).toBe(false);
  });

  it('counts in the plural forms of each language', () => {
    expect(tn('count.newMessages', 0, {}, 'en')).toBe('0 new messages');
    expect(tn('count.newMessages', 1200, {}, 'en')).toBe('1,200 new messages');
    // French takes the singular for 0 and 1.
    expect(tn('count.newMessages', 0, {}, 'fr')).toBe('0 nouveau message');
    expect(tn('count.newMessages', 2, {}, 'fr')).toBe('2 nouveaux messages');
    expect(
      t(
        'arrivals.summary',
        { messages: tn('count.newMessages', 3, {}, 'fr'), conversations: tn('count.conversations', 2, {}, 'fr') },
        'fr',
      ),
    ).toBe('3 nouveaux messages dans 2 conversations');
  });
});
