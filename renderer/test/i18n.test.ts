import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  currentLocale,
  duration,
  fileSize,
  locale,
  locales,
  onLanguageChange,
  pickLocale,
  setLanguage,
  shortTime,
  t,
  tn,
  useT,
} from '../src/common/i18n/index.js';
import { featureFiles } from '../src/common/i18n/resources.js';

const PLURAL = /_(zero|one|two|few|many|other)$/;

function stem(key: string): string {
  return key.replace(PLURAL, '');
}

function placeholders(words: string): string[] {
  return [...words.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((match) => match[1] ?? '').sort();
}

type Dictionary = Record<string, string>;
const files = featureFiles as Record<string, Record<string, Dictionary>>;

function merged(lang: string): Dictionary {
  return Object.assign({}, ...Object.values(files[lang] ?? {})) as Dictionary;
}

afterEach(() => setLanguage('en'));

describe('the dictionaries', () => {
  it('have the same feature files and, in each, the same keys in every language (plural forms aside)', () => {
    const english = files.en ?? {};
    for (const lang of locales) {
      expect(Object.keys(files[lang] ?? {}).sort()).toEqual(Object.keys(english).sort());
      for (const [file, words] of Object.entries(english)) {
        const translated = files[lang]?.[file] ?? {};
        const stems = (dictionary: Dictionary): string[] => [...new Set(Object.keys(dictionary).map(stem))].sort();
        expect(stems(translated), `${lang}/${file}.json`).toEqual(stems(words));
      }
    }
  });

  it('put each key in one feature file only', () => {
    for (const lang of locales) {
      const seen = new Map<string, string>();
      for (const [file, words] of Object.entries(files[lang] ?? {})) {
        for (const key of Object.keys(words)) {
          expect(seen.get(key), `${lang}: ${key} is in ${seen.get(key)}.json and ${file}.json`).toBeUndefined();
          seen.set(key, file);
        }
      }
    }
  });

  it('use the same placeholders in every language, key by key', () => {
    const english = merged('en');
    for (const lang of locales) {
      for (const [key, words] of Object.entries(merged(lang))) {
        // A form English lacks (French "many") is checked against English "other".
        const reference = english[key] ?? english[`${stem(key)}_other`];
        expect(reference, `${lang}: ${key} has no English`).toBeDefined();
        // A singular may say "one" in words instead of {{count}}.
        const compared = (names: string[]): string[] =>
          PLURAL.test(key) ? names.filter((name) => name !== 'count') : names;
        expect(compared(placeholders(words)), `${lang}: ${key}`).toEqual(compared(placeholders(reference ?? '')));
      }
    }
  });

  it('have every plural form each language needs', () => {
    for (const lang of locales) {
      const dictionary = merged(lang);
      const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      const bases = new Set(
        Object.keys(dictionary)
          .filter((key) => PLURAL.test(key))
          .map(stem),
      );
      for (const base of bases) {
        for (const category of categories) {
          expect(dictionary[`${base}_${category}`], `${lang}: ${base}_${category}`).toBeDefined();
        }
      }
    }
  });

  it('contain no empty words', () => {
    for (const lang of locales) {
      for (const [key, words] of Object.entries(merged(lang))) expect(words.trim(), `${lang}: ${key}`).not.toBe('');
    }
  });
});

describe('t and tn', () => {
  it('fill in placeholders and leave unknown ones visible', () => {
    expect(t('conversation.assignedTo', { name: 'Ana' })).toBe('Assigned to Ana');
    expect(t('conversation.assignedTo', { name: 'Ana' }, 'fr')).toBe('Attribuée à Ana');
    expect(t('conversation.assignedTo')).toBe('Assigned to {{name}}');
  });

  it('do not escape what React escapes anyway', () => {
    expect(t('conversation.assignedTo', { name: 'Ana & <Bo>' })).toBe('Assigned to Ana & <Bo>');
  });

  it('pick the plural form of the language and format the count', () => {
    expect(tn('count.newMessages', 1)).toBe('1 new message');
    expect(tn('count.newMessages', 1200)).toBe('1,200 new messages');
    expect(tn('count.newMessages', 0, {}, 'fr')).toBe('0 nouveau message');
    expect(tn('count.newMessages', 2, {}, 'fr')).toBe('2 nouveaux messages');
    // French has a "many" form for millions: it is there, not a missing key.
    expect(tn('count.newMessages', 1_000_000, {}, 'fr')).toBe('1\u202f000\u202f000 nouveaux messages');
    expect(tn('data.evicted', 1)).not.toContain('{{');
  });

  it('pick the language from the browser’s list', () => {
    expect(pickLocale(['fr-CA', 'en'])).toBe('fr');
    expect(pickLocale(['de', 'en-GB'])).toBe('en');
    expect(pickLocale(['de'])).toBe('en');
  });
});

describe('changing the language while the app runs', () => {
  it('switches t, tn and the formatters at once, and the live locale with them', () => {
    setLanguage('fr');
    expect(currentLocale()).toBe('fr');
    expect(locale).toBe('fr');
    expect(t('inbox.title')).toBe('Conversations');
    expect(t('composer.send')).toBe('Envoyer');
    expect(tn('count.conversations', 3)).toBe('3 conversations');
    expect(duration(30_000)).toBe('moins d’une minute');
    expect(fileSize(2_400_000)).toBe('2,4\u202fMo');
    const at = Date.UTC(2026, 10, 3, 14, 5);
    expect(shortTime(at, at + 3 * 86_400_000)).toBe(
      new Intl.DateTimeFormat('fr', { day: 'numeric', month: 'short' }).format(at),
    );

    setLanguage('en');
    expect(locale).toBe('en');
    expect(t('composer.send')).toBe('Send');
    expect(fileSize(2_400_000)).toBe('2.4 MB');
  });

  it('tells listeners, and stops when they unsubscribe', () => {
    const heard: string[] = [];
    const stop = onLanguageChange((lang) => heard.push(lang));
    setLanguage('fr');
    setLanguage('en');
    stop();
    setLanguage('fr');
    expect(heard).toEqual(['fr', 'en']);
  });

  it('gives components words in the language of the moment through useT', () => {
    function Title(): string {
      const { t: say, tn: count, lang } = useT();
      return `${lang}: ${say('inbox.title')} · ${count('count.newMessages', 2)} · ${say('composer.send')}`;
    }
    expect(renderToString(createElement(Title))).toBe('en: Conversations · 2 new messages · Send');
    setLanguage('fr');
    expect(renderToString(createElement(Title))).toBe('fr: Conversations · 2 nouveaux messages · Envoyer');
  });
});
