/** The menu's words, from the shell's dictionaries (`locales/`). */
import type { MenuLabels } from './menu.js';
import type { ShellWords } from './words.js';

export function menuLabels(t: ShellWords): MenuLabels {
  return {
    file: t('menu.file'),
    edit: t('menu.edit'),
    view: t('menu.view'),
    window: t('menu.window'),
    help: t('menu.help'),
    palette: t('menu.palette'),
    settings: t('menu.settings'),
    shortcuts: t('menu.shortcuts'),
    popOut: t('menu.popOut'),
  };
}
