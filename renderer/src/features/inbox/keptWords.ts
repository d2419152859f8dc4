import type { Translator } from '../../common/i18n/index.js';

/** More distinct strings than a list shows in a long scroll: past this, the memory starts again. */
const KEPT_MAX = 4000;

/**
 * A translator that keeps the words it was asked for: a list scrolled through thousands of
 * rows asks for the same few hundred strings (a channel's name, "Waiting 3 min", "Assigned
 * to me") over and over, and each i18next lookup costs more than the row's own rendering.
 * A key not found (its dictionary still loading) is not kept.
 */
export function keptWords(translator: Translator): Translator {
  const kept = new Map<string, string>();
  const remember = (id: string, key: string, make: () => string): string => {
    const known = kept.get(id);
    if (known !== undefined) return known;
    const word = make();
    if (word !== key) {
      if (kept.size >= KEPT_MAX) kept.clear();
      kept.set(id, word);
    }
    return word;
  };
  return {
    lang: translator.lang,
    t: (key, values) =>
      remember(values === undefined ? key : `${key}\u0000${JSON.stringify(values)}`, key, () =>
        translator.t(key, values),
      ),
    tn: (base, count, values) =>
      remember(`${base}\u0001${count}\u0000${values === undefined ? '' : JSON.stringify(values)}`, base, () =>
        translator.tn(base, count, values),
      ),
  };
}
