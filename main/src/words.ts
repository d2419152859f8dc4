/**
 * The desktop shell's words, in the app's languages. The shell starts in the system's
 * preferred language and then follows the one the agent chose in the app, which the page
 * reports through `app:setLanguage`.
 */
import type { ShellLanguage } from '@parley/protocol';
import { en, type ShellWordKey } from './locales/en.js';
import { fr } from './locales/fr.js';

export type { ShellWordKey };

const dictionaries: Record<ShellLanguage, Record<ShellWordKey, string>> = { en, fr };

export type ShellWords = (key: ShellWordKey, values?: Record<string, string | number>) => string;

/** The first preferred language we have ("fr-CA" → French), else English. */
export function pickShellLanguage(preferred: readonly string[]): ShellLanguage {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    if (base === 'en' || base === 'fr') return base;
  }
  return 'en';
}

/** The words of one language; `{{name}}` placeholders are filled from `values`. */
export function shellWords(language: ShellLanguage): ShellWords {
  const dictionary = dictionaries[language];
  return (key, values = {}) =>
    dictionary[key].replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
      const value = values[name];
      return value === undefined ? whole : String(value);
    });
}
