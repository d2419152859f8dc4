/** The native question `PlaintextConsent` asks, worded from the shell's dictionaries. */
import type { MessageBoxOptions } from 'electron';
import type { ShellWords } from './words.js';

/** The message box, in the words of `t`; button 0 keeps the sign-in. */
export function plaintextConsentDialog(t: ShellWords): MessageBoxOptions {
  return {
    type: 'question',
    title: t('secrets.plaintext.title'),
    message: t('secrets.plaintext.message'),
    detail: t('secrets.plaintext.detail'),
    buttons: [t('secrets.plaintext.keep'), t('secrets.plaintext.sessionOnly')],
    // Enter and Escape both choose the safe answer.
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
}
