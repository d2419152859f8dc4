/** The agent's preferences: theme, language, notifications, signature; and the screen that sets them. */
export {
  DEFAULT_SETTINGS,
  getSettings,
  isQuietTime,
  languageFor,
  updateSettings,
  useSettings,
  type Settings,
} from './store.js';
export { SettingsDialog } from './SettingsDialog.js';
