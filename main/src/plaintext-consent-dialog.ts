/**
 * The words of the native question `PlaintextConsent` asks, in the app's two languages.
 * The main process has no i18next; the keys follow the renderer's dictionaries so they can
 * move there when the question is asked from the renderer.
 */
import type { MessageBoxOptions } from 'electron';

type ConsentDialogText = {
  'secrets.plaintext.title': string;
  'secrets.plaintext.message': string;
  'secrets.plaintext.detail': string;
  'secrets.plaintext.keep': string;
  'secrets.plaintext.sessionOnly': string;
};

const TEXT: Record<'en' | 'fr', ConsentDialogText> = {
  en: {
    'secrets.plaintext.title': 'Stay signed in?',
    'secrets.plaintext.message': 'This computer has no keychain to protect your sign-in.',
    'secrets.plaintext.detail':
      'Parley can keep you signed in, but other programs running as you could read your sign-in from disk. Otherwise you sign in again each time you start Parley.',
    'secrets.plaintext.keep': 'Stay signed in',
    'secrets.plaintext.sessionOnly': 'Sign in each time',
  },
  fr: {
    'secrets.plaintext.title': 'Rester connecté ?',
    'secrets.plaintext.message': "Cet ordinateur n'a pas de trousseau pour protéger votre connexion.",
    'secrets.plaintext.detail':
      "Parley peut vous garder connecté, mais d'autres programmes lancés sous votre compte pourraient lire votre connexion sur le disque. Sinon, vous vous reconnecterez à chaque démarrage de Parley.",
    'secrets.plaintext.keep': 'Rester connecté',
    'secrets.plaintext.sessionOnly': 'Me connecter à chaque fois',
  },
};

/** The message box for `locale` (e.g. `app.getLocale()`); button 0 keeps the sign-in. */
export function plaintextConsentDialog(locale: string): MessageBoxOptions {
  const text = TEXT[locale.toLowerCase().startsWith('fr') ? 'fr' : 'en'];
  return {
    type: 'question',
    title: text['secrets.plaintext.title'],
    message: text['secrets.plaintext.message'],
    detail: text['secrets.plaintext.detail'],
    buttons: [text['secrets.plaintext.keep'], text['secrets.plaintext.sessionOnly']],
    // Enter and Escape both choose the safe answer.
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
}
