import { useEffect } from 'react';
import { pickLocale, setLanguage } from '../common/i18n/index.js';

/**
 * Follows the system's language while the app runs: when the window says its languages
 * changed, words and formats switch without a reload (components reading `useT()` render
 * again, and what the app keeps on screen, such as a draft, stays).
 */
export function useSystemLanguage(): void {
  useEffect(() => {
    const follow = (): void => setLanguage(pickLocale(navigator.languages));
    window.addEventListener('languagechange', follow);
    return () => window.removeEventListener('languagechange', follow);
  }, []);
}
