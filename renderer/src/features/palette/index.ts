/** The command palette (Ctrl/⌘+K), the shortcut help (`?`), and the page's keyboard. */
import { lazyComponent } from '../../common/lazyComponent.js';

export const CommandPalette = lazyComponent(() =>
  import('./CommandPalette.js').then((module) => module.CommandPalette),
);
export const ShortcutHelp = lazyComponent(() => import('./ShortcutHelp.js').then((module) => module.ShortcutHelp));
export { PaletteTypeAhead, type TypedAhead } from './PaletteTypeAhead.js';
export { ShortcutKeys, ariaKeyShortcuts } from './ShortcutKeys.js';
export { useGlobalShortcuts } from './useGlobalShortcuts.js';
export { findConversations, type ConversationHit } from './findConversations.js';
