import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import {
  MAX_SUGGESTIONS,
  buildContextMenuTemplate,
  chooseSpellcheckLanguages,
  spellcheckControl,
  spellcheckFile,
  type ContextMenuFacts,
  type SpellcheckMemory,
  type SpellcheckSession,
} from '../src/spellcheck.js';
import type { JsonFiles } from '../src/json-file.js';
import { shellWords } from '../src/words.js';

const LABELS = {
  noSuggestions: 'No suggestions',
  addToDictionary: 'Add to dictionary',
  cut: 'Cut',
  copy: 'Copy',
  paste: 'Paste',
  selectAll: 'Select all',
};

const ALL_FLAGS = {
  canUndo: true,
  canRedo: true,
  canCut: true,
  canCopy: true,
  canPaste: true,
  canDelete: true,
  canSelectAll: true,
  canEditRichly: false,
};

function facts(change: Partial<ContextMenuFacts>): ContextMenuFacts {
  return {
    misspelledWord: '',
    dictionarySuggestions: [],
    isEditable: true,
    selectionText: '',
    editFlags: ALL_FLAGS,
    ...change,
  };
}

function menu(given: ContextMenuFacts) {
  const replaced: string[] = [];
  const added: string[] = [];
  const items = buildContextMenuTemplate(given, LABELS, {
    replaceMisspelling: (word) => replaced.push(word),
    addToDictionary: (word) => added.push(word),
  });
  const click = (label: string): void => {
    const item = items.find((candidate) => candidate.label === label);
    if (item?.click === undefined) throw new Error(`no item ${label}`);
    (item.click as () => void)();
  };
  return { items, replaced, added, click };
}

const shape = (items: MenuItemConstructorOptions[]) =>
  items.map((item) => (item.type === 'separator' ? '---' : (item.role ?? item.label)));

describe('the context menu of a field', () => {
  it('offers the suggestions for a misspelled word, then adding it, then the edit commands', () => {
    const { items, replaced, added, click } = menu(
      facts({ misspelledWord: 'helo', dictionarySuggestions: ['hello', 'help', 'hero'] }),
    );
    expect(shape(items)).toEqual([
      'hello',
      'help',
      'hero',
      '---',
      'Add to dictionary',
      '---',
      'cut',
      'copy',
      'paste',
      '---',
      'selectAll',
    ]);
    click('help');
    click('Add to dictionary');
    expect(replaced).toEqual(['help']);
    expect(added).toEqual(['helo']);
  });

  it('shows at most a handful of suggestions', () => {
    const many = Array.from({ length: 12 }, (_, i) => `word${i}`);
    const { items } = menu(facts({ misspelledWord: 'wrod', dictionarySuggestions: many }));
    expect(items.filter((item) => item.label?.startsWith('word'))).toHaveLength(MAX_SUGGESTIONS);
  });

  it('says so when there is no suggestion, and still lets the word be added', () => {
    const { items } = menu(facts({ misspelledWord: 'Xyzzyq' }));
    expect(items[0]).toEqual({ label: 'No suggestions', enabled: false });
    expect(shape(items)).toContain('Add to dictionary');
  });

  it('greys out what the field cannot do now', () => {
    const { items } = menu(facts({ editFlags: { ...ALL_FLAGS, canCut: false, canCopy: false } }));
    expect(items.find((item) => item.role === 'cut')?.enabled).toBe(false);
    expect(items.find((item) => item.role === 'copy')?.enabled).toBe(false);
    expect(items.find((item) => item.role === 'paste')?.enabled).toBe(true);
    expect(shape(items)).not.toContain('Add to dictionary');
  });

  it('offers only copy over selected text outside a field, and nothing over nothing', () => {
    expect(shape(menu(facts({ isEditable: false, selectionText: 'a quote' })).items)).toEqual(['copy']);
    expect(menu(facts({ isEditable: false })).items).toEqual([]);
    // A misspelling is only offered where it can be replaced.
    expect(menu(facts({ isEditable: false, misspelledWord: 'helo', selectionText: ' ' })).items).toEqual([]);
  });

  it('has its words in both of the shell’s languages', () => {
    expect(shellWords('fr')('contextMenu.addToDictionary')).toBe('Ajouter au dictionnaire');
    expect(shellWords('en')('contextMenu.paste')).toBe('Paste');
  });
});

describe('spellchecker languages', () => {
  const AVAILABLE = ['de-DE', 'en-GB', 'en-US', 'fr-FR', 'fr-CA'];

  it('keeps the wanted languages Chromium has, in order, matching a bare language to a regional one', () => {
    expect(chooseSpellcheckLanguages(['fr', 'en-US', 'xx', 'EN-us'], AVAILABLE)).toEqual(['fr-FR', 'en-US']);
    expect(chooseSpellcheckLanguages(['fr-CA'], AVAILABLE)).toEqual(['fr-CA']);
    expect(chooseSpellcheckLanguages([], AVAILABLE)).toEqual([]);
  });

  function session(): SpellcheckSession & { set: string[][] } {
    let current = ['en-US'];
    const set: string[][] = [];
    return {
      set,
      availableSpellCheckerLanguages: AVAILABLE,
      getSpellCheckerLanguages: () => current,
      setSpellCheckerLanguages: (languages) => {
        set.push(languages);
        current = languages;
      },
    };
  }

  /** The file in userData, on a file system in memory, read and written as the app does. */
  function memoryFile(files = new Map<string, string>()): SpellcheckMemory & { files: Map<string, string> } {
    const fs: JsonFiles = {
      readFileSync: (file) => {
        const text = files.get(file);
        if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
        return text;
      },
      writeFileSync: (file, text) => void files.set(file, text),
      renameSync: (from, to) => {
        files.set(to, files.get(from) ?? '');
        files.delete(from);
      },
    };
    return { files, ...spellcheckFile('spellcheck.json', fs, () => undefined) };
  }

  it('lists and sets the languages on Windows and Linux', () => {
    const s = session();
    const control = spellcheckControl('win32', s, memoryFile());
    expect(control.info()).toEqual({
      systemManaged: false,
      available: ['de-DE', 'en-GB', 'en-US', 'fr-CA', 'fr-FR'],
      selected: ['en-US'],
    });
    expect(control.set(['fr', 'de-DE'])).toEqual(['fr-FR', 'de-DE']);
    expect(control.info().selected).toEqual(['fr-FR', 'de-DE']);
    // Nothing known: what is checked now stays.
    expect(control.set(['xx'])).toEqual(['fr-FR', 'de-DE']);
    expect(s.set).toEqual([['fr-FR', 'de-DE']]);
  });

  it('keeps the choice across a restart, and starts on the default when nothing or nothing usable was kept', () => {
    const memory = memoryFile();
    spellcheckControl('linux', session(), memory).set(['fr', 'de']);
    expect(JSON.parse(memory.files.get('spellcheck.json') ?? 'null')).toEqual({ languages: ['fr-FR', 'de-DE'] });

    // The next start: the saved languages are set before the page asks.
    const restarted = session();
    const control = spellcheckControl('linux', restarted, memoryFile(memory.files));
    expect(restarted.set).toEqual([['fr-FR', 'de-DE']]);
    expect(control.info().selected).toEqual(['fr-FR', 'de-DE']);

    // First start, a damaged file, or languages this machine has no dictionary for.
    for (const text of [undefined, '{not json', JSON.stringify({ languages: ['xx-YY'] })]) {
      const files = new Map<string, string>();
      if (text !== undefined) files.set('spellcheck.json', text);
      const fresh = session();
      expect(spellcheckControl('linux', fresh, memoryFile(files)).info().selected).toEqual(['en-US']);
      expect(fresh.set).toEqual([]);
    }
  });

  it('leaves the choice to macOS', () => {
    const s = session();
    const memory = memoryFile(new Map([['spellcheck.json', JSON.stringify({ languages: ['de-DE'] })]]));
    const control = spellcheckControl('darwin', s, memory);
    expect(control.info()).toEqual({ systemManaged: true, available: [], selected: [] });
    expect(control.set(['fr'])).toEqual([]);
    expect(s.set).toEqual([]);
    expect(memory.files.get('spellcheck.json')).toBe(JSON.stringify({ languages: ['de-DE'] }));
  });
});
