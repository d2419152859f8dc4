import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_SETTINGS,
  getSettings,
  isQuietTime,
  languageFor,
  reloadSettings,
  updateSettings,
} from '../../src/features/settings/store.js';

/** The settings live in localStorage: a stand-in for the window's. */
function fakeWindow(initial: Record<string, string> = {}): Map<string, string> {
  const items = new Map(Object.entries(initial));
  vi.stubGlobal('window', {
    localStorage: {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
    },
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  });
  return items;
}

describe('the settings store', () => {
  beforeEach(() => reloadSettings());
  afterEach(() => vi.unstubAllGlobals());

  it('starts from the defaults: follow the system, notify of what is mine, no signature', () => {
    fakeWindow();
    expect(getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toMatchObject({ theme: 'system', language: 'system', signature: '', useSignature: false });
    expect(DEFAULT_SETTINGS.notifications.doNotDisturb).toEqual({ enabled: false, from: '19:00', to: '08:00' });
  });

  it('keeps a change for the next start', () => {
    const items = fakeWindow();
    updateSettings((previous) => ({ ...previous, theme: 'dark', language: 'fr', signature: 'Alex, Parley support' }));
    expect(getSettings()).toMatchObject({ theme: 'dark', language: 'fr' });
    reloadSettings();
    expect(JSON.parse(items.get('parley:settings') ?? '{}')).toMatchObject({ theme: 'dark', language: 'fr' });
    expect(getSettings()).toMatchObject({ theme: 'dark', language: 'fr', signature: 'Alex, Parley support' });
  });

  it('falls back field by field on what it does not understand, instead of breaking', () => {
    fakeWindow({
      'parley:settings': JSON.stringify({
        theme: 'sepia',
        language: 'fr',
        notifications: { mentions: false, doNotDisturb: { enabled: true, from: '25:00', to: '07:30' } },
        signature: 42,
      }),
    });
    const settings = getSettings();
    expect(settings.theme).toBe('system');
    expect(settings.language).toBe('fr');
    expect(settings.notifications.mentions).toBe(false);
    expect(settings.notifications.myMessages).toBe(true);
    expect(settings.notifications.doNotDisturb).toEqual({ enabled: true, from: '19:00', to: '07:30' });
    expect(settings.signature).toBe('');
  });

  it('survives storage that is not JSON', () => {
    fakeWindow({ 'parley:settings': '{not json' });
    expect(getSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it('stores no value the schema refuses: a signature over 500 characters falls back to none', () => {
    const items = fakeWindow();
    updateSettings((previous) => ({ ...previous, signature: 'x'.repeat(600) }));
    expect(getSettings().signature).toBe('');
    expect((JSON.parse(items.get('parley:settings') ?? '{}') as { signature: string }).signature).toBe('');
  });
});

describe('the language in use', () => {
  it('is the one chosen, or the first the system offers that Parley speaks', () => {
    expect(languageFor('fr', ['en-GB'])).toBe('fr');
    expect(languageFor('en', ['fr-FR'])).toBe('en');
    expect(languageFor('system', ['de-DE', 'fr-CA', 'en'])).toBe('fr');
    expect(languageFor('system', ['de-DE'])).toBe('en');
  });
});

describe('do-not-disturb hours', () => {
  const at = (hours: number, minutes = 0): Date => new Date(2026, 11, 2, hours, minutes);
  const night = { enabled: true, from: '19:00', to: '08:00' };

  it('span midnight when they start later than they end', () => {
    expect(isQuietTime(night, at(19))).toBe(true);
    expect(isQuietTime(night, at(23, 59))).toBe(true);
    expect(isQuietTime(night, at(7, 59))).toBe(true);
    expect(isQuietTime(night, at(8))).toBe(false);
    expect(isQuietTime(night, at(18, 59))).toBe(false);
  });

  it('within a day, and never when switched off', () => {
    const lunch = { enabled: true, from: '12:00', to: '13:30' };
    expect(isQuietTime(lunch, at(12, 45))).toBe(true);
    expect(isQuietTime(lunch, at(13, 30))).toBe(false);
    expect(isQuietTime({ ...night, enabled: false }, at(23))).toBe(false);
  });
});
