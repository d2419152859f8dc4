/**
 * Right-clicking in a window's page: the spelling suggestions (and adding a word to the
 * dictionary), then cut, copy and paste, in the shell's language at the moment of the click.
 * What the menu holds is decided by `buildContextMenuTemplate`, tested in Node; this only
 * wires it to a window.
 */
import { Menu, type BrowserWindow } from 'electron';
import { buildContextMenuTemplate } from './spellcheck.js';
import type { ShellWords } from './words.js';

export function attachContextMenu(window: BrowserWindow, words: () => ShellWords): void {
  const contents = window.webContents;
  contents.on('context-menu', (_event, params) => {
    const t = words();
    const template = buildContextMenuTemplate(
      params,
      {
        noSuggestions: t('contextMenu.noSuggestions'),
        addToDictionary: t('contextMenu.addToDictionary'),
        cut: t('contextMenu.cut'),
        copy: t('contextMenu.copy'),
        paste: t('contextMenu.paste'),
        selectAll: t('contextMenu.selectAll'),
      },
      {
        replaceMisspelling: (word) => contents.replaceMisspelling(word),
        addToDictionary: (word) => void contents.session.addWordToSpellCheckerDictionary(word),
      },
    );
    if (template.length > 0) Menu.buildFromTemplate(template).popup({ window });
  });
}
