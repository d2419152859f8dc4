/** The command palette (Ctrl/⌘+K), the shortcut help (`?`), and the page's keyboard. */
export { CommandPalette } from './CommandPalette.js';
export { ShortcutHelp } from './ShortcutHelp.js';
export { ShortcutKeys, ariaKeyShortcuts } from './ShortcutKeys.js';
export { useGlobalShortcuts } from './useGlobalShortcuts.js';
export { findConversations, type ConversationHit } from './findConversations.js';
