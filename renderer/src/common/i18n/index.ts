/**
 * User-visible text, in English and French, through i18next. The words live in
 * `locales/<language>/<feature>.json` (see resources.ts); keys are typed, so a key missing
 * from English, or a French file out of step with English, is a compile error.
 *
 * The language can change while the app runs (`setLanguage`): components that read their
 * words through `useT()` render again in the new language, and the formatters below follow
 * `currentLocale()`. Words are made when shown: keep codes and values in state, not words.
 */
import i18next, { type i18n as I18n } from 'i18next';
import { useSyncExternalStore } from 'react';
import { initReactI18next } from 'react-i18next';
import { en, fr, type English } from './resources.js';

export type MessageKey = Extract<keyof English, string>;

export const locales = ['en', 'fr'] as const;
export type Locale = (typeof locales)[number];

export function isLocale(value: string): value is Locale {
  return (locales as readonly string[]).includes(value);
}

export function pickLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const base = language.toLowerCase().split('-')[0] ?? '';
    if (isLocale(base)) return base;
  }
  return 'en';
}

/** Values put into the words: names, counts already formatted, times. */
export type Values = Record<string, string | number>;

/**
 * The app's own i18next instance (not i18next's global one), also handed to
 * react-i18next so `useTranslation` and `useT` follow it.
 */
export const i18n: I18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: pickLocale(typeof navigator === 'undefined' ? [] : navigator.languages),
  fallbackLng: 'en',
  supportedLngs: locales,
  // The words are bundled, so there is nothing to wait for: the first render has them.
  initAsync: false,
  // Keys are flat and dotted ('inbox.title'); a colon in a key is not a namespace either.
  keySeparator: false,
  nsSeparator: false,
  // React escapes what it renders; escaping here too would show "&amp;" to agents.
  interpolation: { escapeValue: false },
  react: { useSuspense: false },
});

/**
 * The language words and formats are in now. It changes with `setLanguage`; read it when
 * formatting, never once at start-up.
 */
export function currentLocale(): Locale {
  const language = i18n.resolvedLanguage ?? i18n.language;
  return isLocale(language) ? language : 'en';
}

/**
 * The language at this moment. A live binding: modules that import it see the new value
 * after `setLanguage`, but a value copied out of it (or read once at start-up) does not
 * follow; prefer `currentLocale()`.
 */
export let locale: Locale = currentLocale();

function followLanguage(): void {
  locale = currentLocale();
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}
i18n.on('languageChanged', followLanguage);

/** Switches every word and format to `lang`, without a reload; components using `useT()` render again. */
export function setLanguage(lang: Locale): void {
  // Asked for the language already in use (the settings' effect after the start), i18next
  // would still announce a change, and every component using `useT()` would render again.
  // The resources are bundled, so a change is done when this returns.
  if (i18n.language !== lang) void i18n.changeLanguage(lang);
  followLanguage();
}

/** Calls `listener` after each change of language, for words made outside React; returns the unsubscribe. */
export function onLanguageChange(listener: (lang: Locale) => void): () => void {
  const handler = (): void => listener(currentLocale());
  i18n.on('languageChanged', handler);
  return () => i18n.off('languageChanged', handler);
}

/** i18next's `t`, called with values as data (never as options) and in a given language. */
const translate = i18n.t.bind(i18n) as unknown as (key: string, options: Record<string, unknown>) => string;

export function t(key: MessageKey, values: Values = {}, lang: Locale = currentLocale()): string {
  return translate(key, { lng: lang, replace: values });
}

const numberFormats = new Map<Locale, Intl.NumberFormat>();

/** One number formatter per language: building one is far slower than formatting with it. */
function numberFormat(lang: Locale): Intl.NumberFormat {
  let format = numberFormats.get(lang);
  if (format === undefined) {
    format = new Intl.NumberFormat(lang);
    numberFormats.set(lang, format);
  }
  return format;
}

/** Keys that come in plural forms (`base_one`, `base_other`…), by their base. */
export type PluralBase = {
  [K in MessageKey]: K extends `${infer Base}_one` ? (`${Base}_other` extends MessageKey ? Base : never) : never;
}[MessageKey];

/** A count in words, in the form the language's plural rules pick ("1 new message"); {{count}} is formatted. */
export function tn(base: PluralBase, count: number, values: Values = {}, lang: Locale = currentLocale()): string {
  const formatted = numberFormat(lang).format(count);
  return translate(base, { lng: lang, count, replace: { ...values, count: formatted } });
}

export type Translator = {
  lang: Locale;
  t: (key: MessageKey, values?: Values) => string;
  tn: (base: PluralBase, count: number, values?: Values) => string;
};

/** One translator per language, shared by every component that reads words in it. */
const translators = new Map<Locale, Translator>();

function translatorFor(lang: Locale): Translator {
  let translator = translators.get(lang);
  if (translator === undefined) {
    translator = {
      lang,
      t: (key, values) => t(key, values, lang),
      tn: (base, count, values) => tn(base, count, values, lang),
    };
    translators.set(lang, translator);
  }
  return translator;
}

/**
 * The components reading words, told of a change of language through one listener of
 * i18next's: a list or a thread mounts rows by the hundred, each of which reads words, and
 * each subscribing to i18next on its own (as `useTranslation` does) costs on every mount.
 */
const languageListeners = new Set<() => void>();
i18n.on('languageChanged', () => {
  for (const listener of [...languageListeners]) listener();
});

function subscribeLanguage(listener: () => void): () => void {
  languageListeners.add(listener);
  return () => languageListeners.delete(listener);
}

/**
 * Words in the current language, for components: the component renders again when the
 * language changes. `const { t, tn } = useT();` in place of the imported `t` and `tn`.
 */
export function useT(): Translator {
  return translatorFor(useSyncExternalStore(subscribeLanguage, currentLocale, currentLocale));
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per language and shape: building them is slow and lists format many times. */
function dateFormat(lang: Locale, shape: 'time' | 'day' | 'dayTime'): Intl.DateTimeFormat {
  const id = `${lang}:${shape}`;
  let format = formats.get(id);
  if (format === undefined) {
    const options: Intl.DateTimeFormatOptions =
      shape === 'time'
        ? { hour: '2-digit', minute: '2-digit' }
        : shape === 'day'
          ? { day: 'numeric', month: 'short' }
          : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
    format = new Intl.DateTimeFormat(lang, options);
    formats.set(id, format);
  }
  return format;
}

/** A time for a list: "14:05" today, "3 Nov" before. */
export function shortTime(ms: number, now: number = Date.now(), lang: Locale = currentLocale()): string {
  const date = new Date(ms);
  return new Date(now).toDateString() === date.toDateString()
    ? dateFormat(lang, 'time').format(date)
    : dateFormat(lang, 'day').format(date);
}

/** A message's time: "14:05" today, "3 Nov, 14:05" before. */
export function messageTime(ms: number, now: number = Date.now(), lang: Locale = currentLocale()): string {
  const date = new Date(ms);
  return new Date(now).toDateString() === date.toDateString()
    ? dateFormat(lang, 'time').format(date)
    : dateFormat(lang, 'dayTime').format(date);
}

/** A moment in the coming days: "Tue 14 Jun, 14:05". */
export function dateTime(ms: number, lang: Locale = currentLocale(), timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  }).format(new Date(ms));
}

/** A time left, to the minute: "3 h 12 min", "45 min", "less than a minute". */
export function duration(ms: number, lang: Locale = currentLocale()): string {
  const totalMinutes = Math.floor(Math.max(0, ms) / 60_000);
  if (totalMinutes < 1) return t('duration.underMinute', {}, lang);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return hours === 0 ? t('duration.minutes', { minutes }, lang) : t('duration.hoursMinutes', { hours, minutes }, lang);
}

/** A file size as people read it: "840 KB", "2.4 MB". */
export function fileSize(bytes: number, lang: Locale = currentLocale()): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(lang, {
    style: 'unit',
    unit: units[unit],
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: unit <= 1 ? 0 : 1,
  }).format(value);
}
