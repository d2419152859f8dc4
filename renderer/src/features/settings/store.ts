import { useSyncExternalStore } from 'react';
import { z } from 'zod';
import { pickLocale, type Locale } from '../../common/i18n/index.js';

/**
 * The agent's preferences on this device: appearance, language, what notifies them, and
 * a signature. Kept in localStorage (read before anything else opens, so the first frame
 * already has the right theme and language), parsed on every read: a value this version
 * does not understand falls back to its default instead of breaking the app.
 */
const TimeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

export const SettingsSchema = z.object({
  theme: z.enum(['system', 'light', 'dark']).catch('system'),
  language: z.enum(['system', 'en', 'fr']).catch('system'),
  notifications: z
    .object({
      /** A new message in a conversation assigned to me. */
      myMessages: z.boolean().catch(true),
      /** A new conversation in one of my teams' queues. */
      teamQueue: z.boolean().catch(false),
      /** A note that mentions me. */
      mentions: z.boolean().catch(true),
      /** A conversation assigned to me by someone else (or by auto-assignment). */
      assignments: z.boolean().catch(true),
      sound: z.boolean().catch(true),
      /** Quiet hours, in local time; `from` later than `to` spans midnight. */
      doNotDisturb: z
        .object({
          enabled: z.boolean().catch(false),
          from: TimeOfDaySchema.catch('19:00'),
          to: TimeOfDaySchema.catch('08:00'),
        })
        .catch({ enabled: false, from: '19:00', to: '08:00' }),
    })
    .catch({
      myMessages: true,
      teamQueue: false,
      mentions: true,
      assignments: true,
      sound: true,
      doNotDisturb: { enabled: false, from: '19:00', to: '08:00' },
    }),
  /** The desktop app's own behaviour (sent to the shell, which keeps a copy for its next start). */
  desktop: z
    .object({
      /** Closing the window keeps Parley in the tray (Windows and Linux; macOS keeps its dock). */
      closeToTray: z.boolean().catch(true),
      /** Minutes without input before the agent shows as away; 0 never. */
      idleMinutes: z.number().int().min(0).max(240).catch(5),
    })
    .catch({ closeToTray: true, idleMinutes: 5 }),
  /** Added under a reply when `useSignature` is on; never under a private note. */
  signature: z.string().max(500).catch(''),
  useSignature: z.boolean().catch(false),
});
export type Settings = z.infer<typeof SettingsSchema>;

const KEY = 'parley:settings';

export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});

function read(): Settings {
  try {
    const raw = window.localStorage.getItem(KEY);
    return raw === null ? DEFAULT_SETTINGS : SettingsSchema.parse(JSON.parse(raw));
  } catch {
    return DEFAULT_SETTINGS;
  }
}

let current: Settings | null = null;
const listeners = new Set<() => void>();

export function getSettings(): Settings {
  current ??= read();
  return current;
}

/** Changes some settings; every view using them follows at once. */
export function updateSettings(change: (previous: Settings) => Settings): void {
  const next = SettingsSchema.parse(change(getSettings()));
  current = next;
  try {
    window.localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Storage full or disabled: the change holds for this session.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Another window of the app changed them.
  const onStorage = (event: StorageEvent): void => {
    if (event.key !== KEY) return;
    current = read();
    listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function useSettings(): Settings {
  return useSyncExternalStore(subscribe, getSettings, () => DEFAULT_SETTINGS);
}

/** The language the agent chose, or the system's when they follow it. */
export function languageFor(choice: Settings['language'], systemLanguages: readonly string[]): Locale {
  return choice === 'system' ? pickLocale(systemLanguages) : choice;
}

function minutesOf(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

/**
 * Is `at` (local time) inside the do-not-disturb hours? `from` later than `to` spans
 * midnight (19:00 to 08:00); equal times mean the whole day.
 */
export function isQuietTime(doNotDisturb: Settings['notifications']['doNotDisturb'], at: Date): boolean {
  if (!doNotDisturb.enabled) return false;
  const now = at.getHours() * 60 + at.getMinutes();
  const from = minutesOf(doNotDisturb.from);
  const to = minutesOf(doNotDisturb.to);
  if (from === to) return true;
  return from < to ? now >= from && now < to : now >= from || now < to;
}

/** Forgets what was read, so the next read parses storage again (for tests and sign-out). */
export function reloadSettings(): void {
  current = null;
  for (const listener of listeners) listener();
}
