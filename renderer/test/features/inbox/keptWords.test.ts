import { describe, expect, it } from 'vitest';
import type { Translator } from '../../../src/common/i18n/index.js';
import { keptWords } from '../../../src/features/inbox/keptWords.js';

/** A translator that counts its lookups; 'missing' is a key its dictionary does not have. */
function counting(): { translator: Translator; lookups: () => number } {
  let lookups = 0;
  const translator: Translator = {
    lang: 'en',
    t: (key, values) => {
      lookups += 1;
      return key === 'inbox.waiting' ? `Waiting ${String(values?.['time'])}` : key;
    },
    tn: (base, count) => {
      lookups += 1;
      return `${count} ${base}`;
    },
  };
  return { translator, lookups: () => lookups };
}

describe('the rows’ kept words', () => {
  it('looks each string up once, by key and values', () => {
    const { translator, lookups } = counting();
    const words = keptWords(translator);
    expect(words.t('inbox.waiting', { time: '3 min' })).toBe('Waiting 3 min');
    expect(words.t('inbox.waiting', { time: '3 min' })).toBe('Waiting 3 min');
    expect(lookups()).toBe(1);
    expect(words.t('inbox.waiting', { time: '4 min' })).toBe('Waiting 4 min');
    expect(words.tn('inbox.updates', 2)).toBe('2 inbox.updates');
    expect(words.tn('inbox.updates', 2)).toBe('2 inbox.updates');
    expect(words.tn('inbox.updates', 3)).toBe('3 inbox.updates');
    expect(lookups()).toBe(4);
    expect(words.lang).toBe('en');
  });

  it('asks again for a key its dictionary did not have yet', () => {
    const { translator, lookups } = counting();
    const words = keptWords(translator);
    words.t('inbox.title');
    words.t('inbox.title');
    expect(lookups()).toBe(2);
  });
});
