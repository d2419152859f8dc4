/**
 * The menu's own words. The main process has no access to the renderer's dictionaries, so
 * it carries these few, in the same languages, chosen from the system's preferred languages.
 */
import type { MenuLabels } from './menu.js';

const en: MenuLabels = {
  file: 'File',
  edit: 'Edit',
  view: 'View',
  window: 'Window',
  help: 'Help',
  palette: 'Command palette…',
  settings: 'Settings…',
  shortcuts: 'Keyboard shortcuts',
};

const fr: MenuLabels = {
  file: 'Fichier',
  edit: 'Édition',
  view: 'Présentation',
  window: 'Fenêtre',
  help: 'Aide',
  palette: 'Palette de commandes…',
  settings: 'Réglages…',
  shortcuts: 'Raccourcis clavier',
};

const dictionaries: Record<string, MenuLabels> = { en, fr };

/** The labels for the first preferred language we have ("fr-CA" → French), else English. */
export function menuLabels(preferredLanguages: readonly string[]): MenuLabels {
  for (const tag of preferredLanguages) {
    const labels = dictionaries[tag.toLowerCase().split(/[-_]/)[0] ?? ''];
    if (labels !== undefined) return labels;
  }
  return en;
}
