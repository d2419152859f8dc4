import type { ShellWordKey } from './en.js';

/** The desktop shell's words in French: every English key, and no other (a compile error otherwise). */
export const fr = {
  'menu.file': 'Fichier',
  'menu.edit': 'Édition',
  'menu.view': 'Présentation',
  'menu.window': 'Fenêtre',
  'menu.help': 'Aide',
  'menu.palette': 'Palette de commandes…',
  'menu.settings': 'Réglages…',
  'menu.shortcuts': 'Raccourcis clavier',
  'secrets.plaintext.title': 'Rester connecté ?',
  'secrets.plaintext.message': "Cet ordinateur n'a pas de trousseau pour protéger votre connexion.",
  'secrets.plaintext.detail':
    "Parley peut vous garder connecté, mais d'autres programmes lancés sous votre compte pourraient lire votre connexion sur le disque. Sinon, vous vous reconnecterez à chaque démarrage de Parley.",
  'secrets.plaintext.keep': 'Rester connecté',
  'secrets.plaintext.sessionOnly': 'Me connecter à chaque fois',
  // Pop-out windows and the spellchecking context menu.
  'menu.popOut': 'Ouvrir la conversation dans une nouvelle fenêtre',
  'contextMenu.noSuggestions': 'Aucune suggestion',
  'contextMenu.addToDictionary': 'Ajouter au dictionnaire',
  'contextMenu.cut': 'Couper',
  'contextMenu.copy': 'Copier',
  'contextMenu.paste': 'Coller',
  'contextMenu.selectAll': 'Tout sélectionner',
  'tray.tooltip': 'Parley',
  'tray.tooltipUnreadOne': 'Parley : 1 conversation non lue',
  'tray.tooltipUnread': 'Parley : {{count}} conversations non lues',
  'tray.open': 'Ouvrir Parley',
  'tray.presence': 'Présence',
  'tray.online': 'En ligne',
  'tray.away': 'Absent',
  'tray.offline': 'Hors ligne',
  'tray.quit': 'Quitter Parley',
  'badge.unread': '{{count}} conversations non lues',
} as const satisfies Record<ShellWordKey, string>;
