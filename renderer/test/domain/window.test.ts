import { describe, expect, it } from 'vitest';
import type { OutboxRow } from '../../src/data/db.js';
import { composerMode, windowBanner, windowRefusalOf } from '../../src/domain/window.js';
import { DAY, HOUR, conversationAt } from '../fixtures.js';

const NOW = Date.UTC(2026, 5, 9, 12, 0, 0);
const approved = { humanAgentEnabled: true };
const notApproved = { humanAgentEnabled: false };

describe('composerMode', () => {
  it('WhatsApp inside 24 hours: anything, until the window closes', () => {
    const conversation = conversationAt('whatsapp', NOW - 2 * HOUR);
    expect(composerMode(conversation, approved, NOW)).toEqual({ kind: 'free', closesAt: NOW + 22 * HOUR });
  });

  it('WhatsApp after 24 hours, or with no inbound message ever: templates only', () => {
    expect(composerMode(conversationAt('whatsapp', NOW - 25 * HOUR), approved, NOW)).toEqual({ kind: 'template' });
    expect(composerMode(conversationAt('whatsapp', null), approved, NOW)).toEqual({ kind: 'template' });
  });

  it('Messenger and Instagram between 24 hours and 7 days: human agent replies, if the account may', () => {
    const conversation = conversationAt('messenger', NOW - 3 * DAY);
    expect(composerMode(conversation, approved, NOW)).toEqual({ kind: 'human_agent', until: NOW + 4 * DAY });
    expect(composerMode(conversation, notApproved, NOW)).toEqual({ kind: 'read_only', reason: 'no_human_agent' });
    expect(composerMode(conversation, undefined, NOW)).toEqual({ kind: 'read_only', reason: 'no_human_agent' });
    expect(composerMode(conversationAt('instagram', NOW - 2 * DAY), approved, NOW).kind).toBe('human_agent');
  });

  it('Messenger and Instagram after 7 days: read-only', () => {
    expect(composerMode(conversationAt('instagram', NOW - 8 * DAY), approved, NOW)).toEqual({
      kind: 'read_only',
      reason: 'closed',
    });
  });

  it('a refusal from the server outranks the local clock', () => {
    const whatsapp = conversationAt('whatsapp', NOW - HOUR);
    expect(composerMode(whatsapp, approved, NOW, 'window_closed')).toEqual({ kind: 'template' });
    const messenger = conversationAt('messenger', NOW - HOUR);
    expect(composerMode(messenger, approved, NOW, 'human_agent_required')).toEqual({
      kind: 'human_agent',
      until: NOW - HOUR + 7 * DAY,
    });
    expect(composerMode(messenger, approved, NOW, 'window_closed')).toEqual({ kind: 'read_only', reason: 'closed' });
  });
});

describe('windowBanner', () => {
  it('counts down to the minute, and warns in the last hour', () => {
    const open = composerMode(conversationAt('whatsapp', NOW - (24 * HOUR - (3 * HOUR + 12 * 60_000))), approved, NOW);
    expect(windowBanner(open, NOW, 'en')).toEqual({ severity: 'info', text: 'Window closes in 3 h 12 min' });
    expect(windowBanner(open, NOW, 'fr').text).toBe('La fenêtre se ferme dans 3 h 12 min');
    const closing = composerMode(conversationAt('whatsapp', NOW - 23.5 * HOUR), approved, NOW);
    expect(windowBanner(closing, NOW, 'en')).toEqual({ severity: 'warning', text: 'Window closes in 30 min' });
    const lastSeconds = { kind: 'free', closesAt: NOW + 20_000 } as const;
    expect(windowBanner(lastSeconds, NOW, 'en').text).toBe('Window closes in less than a minute');
  });

  it('says why the composer changed once the window has closed', () => {
    expect(windowBanner({ kind: 'template' }, NOW, 'en').text).toBe(
      '24-hour window closed — send a template to re-open. The window re-opens when the customer replies.',
    );
    expect(windowBanner({ kind: 'human_agent', until: NOW + 4 * DAY }, NOW, 'en', 'UTC')).toEqual({
      severity: 'warning',
      text: 'Standard window closed — replying as human agent until Sat, Jun 13, 12:00 PM',
    });
    expect(windowBanner({ kind: 'read_only', reason: 'closed' }, NOW, 'en')).toEqual({
      severity: 'error',
      text: 'Can’t message until the customer writes again',
    });
    expect(windowBanner({ kind: 'read_only', reason: 'no_human_agent' }, NOW, 'fr').text).toContain('agent humain');
  });
});

describe('windowRefusalOf', () => {
  function refusedReply(createdAt: number, code: 'window_closed' | 'forbidden'): OutboxRow {
    return {
      clientId: `client-${createdAt}`,
      lane: 'c1',
      conversationId: 'c1',
      order: createdAt,
      createdAt,
      mutation: {
        type: 'message.send',
        clientId: `client-${createdAt}`,
        conversationId: 'c1',
        content: { kind: 'text', text: 'hi' },
        replyToMessageId: null,
        humanAgentTag: false,
      },
      state: 'failed',
      attempts: 1,
      nextAttemptAt: 0,
      lastError: { code, message: 'words' },
      rollback: { kind: 'none' },
    };
  }

  it('holds a queued reply’s window refusal until the customer writes again', () => {
    expect(windowRefusalOf([refusedReply(NOW, 'window_closed')], NOW - DAY)).toBe('window_closed');
    expect(windowRefusalOf([refusedReply(NOW, 'window_closed')], NOW + 1)).toBeNull();
    expect(windowRefusalOf([refusedReply(NOW, 'forbidden')], NOW - DAY)).toBeNull();
    expect(windowRefusalOf([], null)).toBeNull();
  });
});
