import { describe, expect, it } from 'vitest';
import type { NotificationTestOutcome } from '@parley/protocol';
import { t } from '../../src/common/i18n/index.js';
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../../src/features/settings/store.js';
import {
  DIGEST_FROM,
  DIGEST_OPEN_MS,
  FLOOD_FROM,
  isSilent,
  kindWanted,
  messageKind,
  planNotifications,
  shouldNotify,
  shouldNotifyDigest,
  type NotifyContext,
} from '../../src/features/notifications/policy.js';
import { testNotificationAdvice } from '../../src/features/settings/testNotification.js';
import { conversationAt } from '../fixtures.js';

type Preferences = Settings['notifications'];

/** A local time of day on some day. */
const at = (time: string): Date => new Date(`2026-03-10T${time}:00`);

function context(overrides: Partial<NotifyContext> = {}, preferences: Partial<Preferences> = {}): NotifyContext {
  return {
    preferences: { ...DEFAULT_SETTINGS.notifications, ...preferences },
    now: at('12:00'),
    focused: false,
    onScreen: null,
    ...overrides,
  };
}

const quiet = (from: string, to: string): Partial<Preferences> => ({ doNotDisturb: { enabled: true, from, to } });

describe('what notifies', () => {
  it('follows each preference', () => {
    const off = { myMessages: false, teamQueue: false, mentions: false, assignments: false };
    const on = { myMessages: true, teamQueue: true, mentions: true, assignments: true };
    for (const kind of ['message', 'queue', 'mention', 'assignment'] as const) {
      expect(kindWanted(kind, { ...DEFAULT_SETTINGS.notifications, ...on })).toBe(true);
      expect(kindWanted(kind, { ...DEFAULT_SETTINGS.notifications, ...off })).toBe(false);
      expect(shouldNotify(kind, 'c1', context({}, off))).toBe(false);
    }
  });

  it('by default tells my messages, mentions and assignments, not the queue', () => {
    const preferences = DEFAULT_SETTINGS.notifications;
    expect(kindWanted('message', preferences)).toBe(true);
    expect(kindWanted('mention', preferences)).toBe(true);
    expect(kindWanted('assignment', preferences)).toBe(true);
    expect(kindWanted('queue', preferences)).toBe(false);
  });

  it('sorts a message by whose conversation it is', () => {
    const agent = { id: 'me', teamIds: ['sales'] };
    const fresh = { firstResponseAt: null };
    expect(messageKind(conversationAt('whatsapp', 1, { assigneeId: 'me' }), agent)).toBe('message');
    expect(messageKind(conversationAt('whatsapp', 1, { assigneeId: null, teamId: 'sales', ...fresh }), agent)).toBe(
      'queue',
    );
    expect(messageKind(conversationAt('whatsapp', 1, { assigneeId: null, teamId: null, ...fresh }), agent)).toBe(
      'queue',
    );
    // Another team's queue, someone else's, answered already, resolved, unknown: not mine.
    expect(messageKind(conversationAt('whatsapp', 1, { assigneeId: null, teamId: 'support', ...fresh }), agent)).toBe(
      null,
    );
    expect(messageKind(conversationAt('whatsapp', 1, { assigneeId: 'other' }), agent)).toBe(null);
    expect(
      messageKind(conversationAt('whatsapp', 1, { assigneeId: null, teamId: null, firstResponseAt: 5 }), agent),
    ).toBe(null);
    expect(messageKind(conversationAt('whatsapp', 1, { assigneeId: 'me', status: 'resolved' }), agent)).toBe(null);
    expect(messageKind(undefined, agent)).toBe(null);
  });

  it('plays the sound unless the agent turned it off', () => {
    expect(isSilent({ ...DEFAULT_SETTINGS.notifications, sound: true })).toBe(false);
    expect(isSilent({ ...DEFAULT_SETTINGS.notifications, sound: false })).toBe(true);
  });
});

describe('quiet rules', () => {
  it('stays quiet for the conversation on screen while the window has focus', () => {
    expect(shouldNotify('message', 'c1', context({ focused: true, onScreen: 'c1' }))).toBe(false);
    expect(shouldNotify('message', 'c2', context({ focused: true, onScreen: 'c1' }))).toBe(true);
    // The window in the background: the agent is not looking at it.
    expect(shouldNotify('message', 'c1', context({ focused: false, onScreen: 'c1' }))).toBe(true);
  });

  it('stays quiet in do-not-disturb hours spanning midnight, and only then', () => {
    const night = quiet('19:00', '08:00');
    expect(shouldNotify('message', 'c1', context({ now: at('23:30') }, night))).toBe(false);
    expect(shouldNotify('message', 'c1', context({ now: at('00:15') }, night))).toBe(false);
    expect(shouldNotify('message', 'c1', context({ now: at('07:59') }, night))).toBe(false);
    expect(shouldNotify('message', 'c1', context({ now: at('08:00') }, night))).toBe(true);
    expect(shouldNotify('message', 'c1', context({ now: at('18:59') }, night))).toBe(true);
    expect(shouldNotify('mention', 'c1', context({ now: at('19:00') }, night))).toBe(false);
  });

  it('stays quiet in daytime do-not-disturb hours', () => {
    const lunch = quiet('12:00', '13:30');
    expect(shouldNotify('assignment', 'c1', context({ now: at('12:45') }, lunch))).toBe(false);
    expect(shouldNotify('assignment', 'c1', context({ now: at('13:30') }, lunch))).toBe(true);
  });

  it('sends the digest only when the agent is not looking, and not in quiet hours', () => {
    expect(shouldNotifyDigest(context())).toBe(true);
    expect(shouldNotifyDigest(context({ focused: true }))).toBe(false);
    expect(shouldNotifyDigest(context({ now: at('22:00') }, quiet('19:00', '08:00')))).toBe(false);
  });
});

describe('never a flood', () => {
  const items = (count: number, conversations: number, from = 0) =>
    Array.from({ length: count }, (_, index) => ({
      id: `m${from + index}`,
      conversationId: `c${(from + index) % conversations}`,
    }));

  it('tells live messages one by one', () => {
    expect(planNotifications('live', items(FLOOD_FROM - 1, 2), null, 0)).toMatchObject({ kind: 'each' });
    expect(planNotifications('live', [], null, 0)).toEqual({ kind: 'none' });
  });

  it('tells one missed message by itself, and a catch-up as one digest', () => {
    expect(planNotifications('catchUp', items(1, 1), null, 0)).toMatchObject({ kind: 'each' });
    const plan = planNotifications('catchUp', items(14, 6), null, 0);
    if (plan.kind !== 'digest') throw new Error(`expected a digest, got ${plan.kind}`);
    expect(plan.digest.messageIds.size).toBe(14);
    expect(plan.digest.conversationIds.size).toBe(6);
    expect(DIGEST_FROM).toBe(2);
  });

  it('turns a live burst into a digest', () => {
    expect(planNotifications('live', items(FLOOD_FROM, 3), null, 0)).toMatchObject({ kind: 'digest' });
  });

  it('merges the pages of one reconnect into the open digest, counting each message once', () => {
    const first = planNotifications('catchUp', items(5, 3), null, 1000);
    if (first.kind !== 'digest') throw new Error('expected a digest');
    // The next page repeats one message and brings two more, one in a new conversation.
    const next = planNotifications(
      'catchUp',
      [{ id: 'm4', conversationId: 'c1' }, ...items(2, 9, 5)],
      first.digest,
      2000,
    );
    if (next.kind !== 'digest') throw new Error('expected the digest to take it in');
    expect(next.digest.messageIds.size).toBe(7);
    expect([...next.digest.conversationIds].sort()).toEqual(['c0', 'c1', 'c2', 'c5', 'c6']);
    expect(next.digest.at).toBe(2000);
  });

  it('closes the digest after a quiet minute: a later catch-up is told on its own', () => {
    const first = planNotifications('catchUp', items(5, 3), null, 0);
    if (first.kind !== 'digest') throw new Error('expected a digest');
    expect(planNotifications('catchUp', items(1, 1, 10), first.digest, DIGEST_OPEN_MS - 1)).toMatchObject({
      kind: 'digest',
    });
    expect(planNotifications('catchUp', items(1, 1, 10), first.digest, DIGEST_OPEN_MS)).toMatchObject({
      kind: 'each',
    });
  });

  it('tells a live message by itself even while a digest is open, and adds a burst to it', () => {
    const first = planNotifications('catchUp', items(5, 3), null, 0);
    if (first.kind !== 'digest') throw new Error('expected a digest');
    expect(planNotifications('live', items(1, 1, 10), first.digest, 1)).toMatchObject({ kind: 'each' });
    const burst = planNotifications('live', items(FLOOD_FROM, 2, 20), first.digest, 1);
    if (burst.kind !== 'digest') throw new Error('expected the burst in the digest');
    expect(burst.digest.messageIds.size).toBe(5 + FLOOD_FROM);
  });
});

describe('the test notification', () => {
  it('says what each system is blocking, with words in both languages', () => {
    const cases: [NotificationTestOutcome, string, string][] = [
      ['shown', 'linux', 'settings.desktop.test.shown'],
      ['denied', 'web', 'settings.desktop.test.denied'],
      ['default', 'web', 'settings.desktop.test.default'],
      ['unsupported', 'web', 'settings.desktop.test.unsupported.web'],
      ['unsupported', 'linux', 'settings.desktop.test.unsupported.linux'],
      ['failed', 'win32', 'settings.desktop.test.failed.windows'],
      ['noShow', 'win32', 'settings.desktop.test.failed.windows'],
      ['noShow', 'darwin', 'settings.desktop.test.noShow.mac'],
      ['noShow', 'linux', 'settings.desktop.test.noShow'],
      ['failed', 'linux', 'settings.desktop.test.failed'],
    ];
    for (const [outcome, platform, key] of cases) {
      const advice = testNotificationAdvice(outcome, platform);
      expect(advice).toBe(key);
      expect(t(advice, {}, 'fr')).not.toBe(t(advice, {}, 'en'));
    }
    expect(t(testNotificationAdvice('noShow', 'darwin'), {}, 'en')).toMatch(/System Settings/);
    expect(t(testNotificationAdvice('failed', 'win32'), {}, 'en')).toMatch(/Focus assist/);
  });
});

describe('the desktop settings', () => {
  it('default to closing to the tray and 5 idle minutes, and survive bad values', () => {
    expect(DEFAULT_SETTINGS.desktop).toEqual({ closeToTray: true, idleMinutes: 5 });
    expect(SettingsSchema.parse({ desktop: { closeToTray: 'yes', idleMinutes: -4 } }).desktop).toEqual({
      closeToTray: true,
      idleMinutes: 5,
    });
    expect(SettingsSchema.parse({ desktop: { closeToTray: false, idleMinutes: 15 } }).desktop).toEqual({
      closeToTray: false,
      idleMinutes: 15,
    });
  });
});
