/** The agent's preferences: theme, language, notifications, signature. */
export { DEFAULT_SETTINGS, getSettings, updateSettings, useSettings, type Settings } from './store.js';
