/**
 * User-visible text, in English and French from day one. Keys are typed, so a missing
 * translation is a compile error. Plural forms follow Intl.PluralRules.
 */
const en = {
  'app.name': 'Parley',
  'login.title': 'Sign in to Parley',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.server': 'Server',
  'login.demo': 'Demo accounts',
  'login.demoHint': 'This server runs with demo data. Pick someone to sign in as.',
  'login.unreachable': 'The Parley server at {url} cannot be reached. Check your connection and try again.',
  'role.agent': 'Agent',
  'role.supervisor': 'Supervisor',
  'role.admin': 'Administrator',
  'status.online': 'Online',
  'status.connecting': 'Connecting…',
  'status.catchingUp': 'Catching up…',
  'status.offlineShort': 'Offline',
  'status.offline': 'Offline — showing what was saved on this device. Changes will sync when the connection is back.',
  'status.error': 'Cannot sync',
  'status.lastSync': 'Last synced {time}',
  'status.neverSynced': 'Not synced yet',
  'inbox.title': 'Conversations',
  'inbox.empty': 'No conversations yet. New customer messages appear here.',
  'inbox.unread': '{count} unread',
  'thread.empty': 'Pick a conversation to read it.',
  'thread.noMessages': 'No messages in this conversation yet.',
  'thread.unsupported': 'This message type cannot be shown yet.',
  'channel.whatsapp': 'WhatsApp',
  'channel.messenger': 'Messenger',
  'channel.instagram': 'Instagram',
  'menu.signOut': 'Sign out',
  'menu.account': 'Account',
} as const;

export type MessageKey = keyof typeof en;

const fr: Record<MessageKey, string> = {
  'app.name': 'Parley',
  'login.title': 'Se connecter à Parley',
  'login.email': 'E-mail',
  'login.password': 'Mot de passe',
  'login.submit': 'Se connecter',
  'login.server': 'Serveur',
  'login.demo': 'Comptes de démonstration',
  'login.demoHint': 'Ce serveur tourne avec des données de démonstration. Choisissez un compte.',
  'login.unreachable': 'Le serveur Parley à {url} est injoignable. Vérifiez votre connexion et réessayez.',
  'role.agent': 'Agent',
  'role.supervisor': 'Superviseur',
  'role.admin': 'Administrateur',
  'status.online': 'En ligne',
  'status.connecting': 'Connexion…',
  'status.catchingUp': 'Rattrapage…',
  'status.offlineShort': 'Hors ligne',
  'status.offline':
    'Hors ligne — affichage des données enregistrées sur cet appareil. Les modifications seront synchronisées au retour de la connexion.',
  'status.error': 'Synchronisation impossible',
  'status.lastSync': 'Dernière synchronisation {time}',
  'status.neverSynced': 'Pas encore synchronisé',
  'inbox.title': 'Conversations',
  'inbox.empty': 'Aucune conversation pour l’instant. Les nouveaux messages des clients apparaissent ici.',
  'inbox.unread': '{count} non lus',
  'thread.empty': 'Choisissez une conversation pour la lire.',
  'thread.noMessages': 'Aucun message dans cette conversation pour l’instant.',
  'thread.unsupported': 'Ce type de message ne peut pas encore être affiché.',
  'channel.whatsapp': 'WhatsApp',
  'channel.messenger': 'Messenger',
  'channel.instagram': 'Instagram',
  'menu.signOut': 'Se déconnecter',
  'menu.account': 'Compte',
};

const dictionaries = { en, fr } as const;
export type Locale = keyof typeof dictionaries;

export function pickLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const base = language.toLowerCase().split('-')[0];
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

export const locale: Locale = pickLocale(typeof navigator === 'undefined' ? [] : navigator.languages);

export function t(key: MessageKey, values: Record<string, string | number> = {}, lang: Locale = locale): string {
  const template: string = dictionaries[lang][key];
  return template.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = values[name];
    return value === undefined ? match : String(value);
  });
}

const timeFormat = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });

/** A time for a list: "14:05" today, "3 Nov" before. */
export function shortTime(ms: number, now: number = Date.now()): string {
  const date = new Date(ms);
  return new Date(now).toDateString() === date.toDateString() ? timeFormat.format(date) : dayFormat.format(date);
}
