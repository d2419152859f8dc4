import { useEffect } from 'react';
import { setLanguage } from '../common/i18n/index.js';
import { languageFor, type Settings } from '../features/settings/index.js';

/**
 * Keeps words and formats in the language the agent chose in the settings, switching at
 * once when they change it. When they follow the system, it follows the window's languages
 * while the app runs too: components reading `useT()` render again, and what the app keeps
 * on screen, such as a draft, stays.
 */
export function useSystemLanguage(choice: Settings['language']): void {
  useEffect(() => {
    const follow = (): void => setLanguage(languageFor(choice, navigator.languages));
    follow();
    if (choice !== 'system') return undefined;
    window.addEventListener('languagechange', follow);
    return () => window.removeEventListener('languagechange', follow);
  }, [choice]);
}
