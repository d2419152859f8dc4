import { describe, expect, it } from 'vitest';
import { plaintextConsentDialog } from '../src/plaintext-consent-dialog.js';

describe('the storage consent question', () => {
  it('speaks French to a French system and English otherwise', () => {
    expect(plaintextConsentDialog('fr-CA').buttons).toEqual(['Rester connecté', 'Me connecter à chaque fois']);
    expect(plaintextConsentDialog('de-DE').buttons).toEqual(['Stay signed in', 'Sign in each time']);
  });

  it('makes the session-only answer the default and the cancel', () => {
    for (const locale of ['en-US', 'fr']) {
      const options = plaintextConsentDialog(locale);
      expect(options.defaultId).toBe(1);
      expect(options.cancelId).toBe(1);
      expect(options.message).not.toBe('');
      expect(options.detail).not.toBe('');
    }
  });
});
