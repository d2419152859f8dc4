/**
 * The page's side of the desktop app: conversations asked for by links and notifications,
 * popping a conversation out, and the settings of updates and spelling. Each falls back to
 * what a browser offers.
 */
export { ConversationRequests } from './ConversationRequests.js';
export { popOutCommand, POP_OUT_SHORTCUT } from './popOutCommand.js';
export { languageName } from './SpellingSection.js';

/** The settings sections this feature adds; loaded with the settings dialog. */
export { DESKTOP_SETTINGS_SECTIONS, DesktopSettings, type DesktopSettingsSection } from './DesktopSettings.js';
