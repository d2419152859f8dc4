/** The agent's preferences: theme, language, notifications, signature; and the screen that sets them. */
import { lazyComponent } from '../../common/lazyComponent.js';

export {
  DEFAULT_SETTINGS,
  getSettings,
  isQuietTime,
  languageFor,
  updateSettings,
  useSettings,
  type Settings,
} from './store.js';
export const SettingsDialog = lazyComponent(() =>
  import('./SettingsDialog.js').then((module) => module.SettingsDialog),
);
