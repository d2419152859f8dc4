import { describe, expect, it } from 'vitest';
import { plaintextConsentDialog } from '../src/plaintext-consent-dialog.js';
import { pickShellLanguage, shellWords } from '../src/words.js';

describe('the storage consent question', () => {
  it('speaks the language it is given, French or English', () => {
    expect(plaintextConsentDialog(shellWords(pickShellLanguage(['fr-CA']))).buttons).toEqual([
      'Rester connecté',
      'Me connecter à chaque fois',
    ]);
    expect(plaintextConsentDialog(shellWords(pickShellLanguage(['de-DE']))).buttons).toEqual([
      'Stay signed in',
      'Sign in each time',
    ]);
  });

  it('makes the session-only answer the default and the cancel', () => {
    for (const language of ['en', 'fr'] as const) {
      const options = plaintextConsentDialog(shellWords(language));
      expect(options.defaultId).toBe(1);
      expect(options.cancelId).toBe(1);
      expect(options.message).not.toBe('');
      expect(options.detail).not.toBe('');
    }
  });
});
