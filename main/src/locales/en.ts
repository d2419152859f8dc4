/**
 * The desktop shell's own words in English: what the main process shows natively (menus,
 * the tray, system dialogs, notifications it makes itself). The page's words live in the
 * renderer's dictionaries; these follow the same rules (flat, dotted keys; values with
 * `{{name}}` placeholders) and the language the agent chose in the app.
 */
export const en = {
  'menu.file': 'File',
  'menu.edit': 'Edit',
  'menu.view': 'View',
  'menu.window': 'Window',
  'menu.help': 'Help',
  'menu.palette': 'Command palette…',
  'menu.settings': 'Settings…',
  'menu.shortcuts': 'Keyboard shortcuts',
  'secrets.plaintext.title': 'Stay signed in?',
  'secrets.plaintext.message': 'This computer has no keychain to protect your sign-in.',
  'secrets.plaintext.detail':
    'Parley can keep you signed in, but other programs running as you could read your sign-in from disk. Otherwise you sign in again each time you start Parley.',
  'secrets.plaintext.keep': 'Stay signed in',
  'secrets.plaintext.sessionOnly': 'Sign in each time',
  // Pop-out windows and the spellchecking context menu.
  'menu.popOut': 'Open conversation in new window',
  'contextMenu.noSuggestions': 'No suggestions',
  'contextMenu.addToDictionary': 'Add to dictionary',
  'contextMenu.cut': 'Cut',
  'contextMenu.copy': 'Copy',
  'contextMenu.paste': 'Paste',
  'contextMenu.selectAll': 'Select all',
  'tray.tooltip': 'Parley',
  'tray.tooltipUnreadOne': 'Parley: 1 unread conversation',
  'tray.tooltipUnread': 'Parley: {{count}} unread conversations',
  'tray.open': 'Open Parley',
  'tray.presence': 'Presence',
  'tray.online': 'Online',
  'tray.away': 'Away',
  'tray.offline': 'Offline',
  'tray.quit': 'Quit Parley',
  'badge.unread': '{{count}} unread conversations',
} as const;

export type ShellWordKey = keyof typeof en;
