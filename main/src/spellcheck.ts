/**
 * Spellchecking the composer: which languages Chromium checks in (the ones the agent chose
 * in the settings, among those it has dictionaries for), and the context menu an editable
 * field opens, with the spelling suggestions. On macOS the system spellchecker decides the
 * languages itself, so there is nothing to choose. Pure functions over injected objects.
 */
import type { SpellcheckInfo } from '@parley/protocol';
import type { ContextMenuParams, MenuItemConstructorOptions } from 'electron';
import { z } from 'zod';
import { readJsonFile, writeJsonFile, type JsonFiles, type Warn } from './json-file.js';

/** At most this many suggestions in the menu: more is a list to read, not a fix to pick. */
export const MAX_SUGGESTIONS = 5;
const MAX_LANGUAGES = 8;

/** What the module needs of an Electron `Session`. */
export type SpellcheckSession = {
  readonly availableSpellCheckerLanguages: string[];
  getSpellCheckerLanguages(): string[];
  setSpellCheckerLanguages(languages: string[]): void;
};

export function systemManagesSpellcheck(platform: NodeJS.Platform): boolean {
  return platform === 'darwin';
}

/**
 * The wanted languages Chromium has dictionaries for, in the agent's order and without
 * repeats: an exact code ("fr-FR") first, else the first of the same language ("fr" → "fr-FR").
 */
export function chooseSpellcheckLanguages(wanted: readonly string[], available: readonly string[]): string[] {
  const chosen: string[] = [];
  for (const language of wanted) {
    const lower = language.toLowerCase();
    const match =
      available.find((candidate) => candidate.toLowerCase() === lower) ??
      available.find((candidate) => candidate.toLowerCase().split('-')[0] === lower.split('-')[0]);
    if (match !== undefined && !chosen.includes(match)) chosen.push(match);
    if (chosen.length === MAX_LANGUAGES) break;
  }
  return chosen;
}

export type SpellcheckControl = {
  info(): SpellcheckInfo;
  /** Sets the languages it can and answers those it set. */
  set(wanted: readonly string[]): string[];
};

/** What the agent chose, as kept in userData: a short list of language codes. */
export const SavedSpellcheckSchema = z.object({ languages: z.array(z.string().min(1).max(35)).max(MAX_LANGUAGES) });

/** Where the choice outlives a restart (a JSON file in userData; see json-file.ts). */
export type SpellcheckMemory = {
  load(): readonly string[] | undefined;
  save(languages: readonly string[]): void;
};

/** The choice kept in a JSON file (`spellcheck.json` in userData). */
export function spellcheckFile(filePath: string, files: JsonFiles, warn: Warn): SpellcheckMemory {
  return {
    load: () => readJsonFile(filePath, files, SavedSpellcheckSchema, warn)?.languages,
    save: (languages) => writeJsonFile(filePath, files, { languages }, warn),
  };
}

/**
 * The agent's languages, set on the session at start from what was saved, and saved again
 * with each change. Chromium's own memory of them is not relied on: whether it persists
 * depends on the session's storage, and the agent's choice should not.
 */
export function spellcheckControl(
  platform: NodeJS.Platform,
  session: SpellcheckSession,
  memory: SpellcheckMemory,
): SpellcheckControl {
  const systemManaged = systemManagesSpellcheck(platform);
  if (!systemManaged) {
    const saved = memory.load();
    if (saved !== undefined) {
      const chosen = chooseSpellcheckLanguages(saved, session.availableSpellCheckerLanguages);
      if (chosen.length > 0) session.setSpellCheckerLanguages(chosen);
    }
  }
  return {
    info: () =>
      systemManaged
        ? { systemManaged, available: [], selected: [] }
        : {
            systemManaged,
            available: [...session.availableSpellCheckerLanguages].sort(),
            selected: session.getSpellCheckerLanguages(),
          },
    set: (wanted) => {
      if (systemManaged) return [];
      const chosen = chooseSpellcheckLanguages(wanted, session.availableSpellCheckerLanguages);
      // None of them known: keep what Chromium checks now rather than checking nothing.
      if (chosen.length === 0) return session.getSpellCheckerLanguages();
      session.setSpellCheckerLanguages(chosen);
      memory.save(chosen);
      return chosen;
    },
  };
}

export type ContextMenuLabels = {
  noSuggestions: string;
  addToDictionary: string;
  cut: string;
  copy: string;
  paste: string;
  selectAll: string;
};

export type ContextMenuActions = {
  replaceMisspelling: (word: string) => void;
  addToDictionary: (word: string) => void;
};

export type ContextMenuFacts = Pick<
  ContextMenuParams,
  'misspelledWord' | 'dictionarySuggestions' | 'isEditable' | 'selectionText' | 'editFlags'
>;

/**
 * The context menu for a right click: in a field, the spelling suggestions for a misspelled
 * word (and adding it to the dictionary), then cut, copy, paste and select all; over
 * selected text elsewhere, copy. Nothing (no menu) anywhere else.
 */
export function buildContextMenuTemplate(
  facts: ContextMenuFacts,
  labels: ContextMenuLabels,
  actions: ContextMenuActions,
): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [];
  const word = facts.misspelledWord.trim();
  if (facts.isEditable && word !== '') {
    const suggestions = facts.dictionarySuggestions.slice(0, MAX_SUGGESTIONS);
    if (suggestions.length === 0) items.push({ label: labels.noSuggestions, enabled: false });
    for (const suggestion of suggestions) {
      items.push({ label: suggestion, click: () => actions.replaceMisspelling(suggestion) });
    }
    items.push({ type: 'separator' });
    items.push({ label: labels.addToDictionary, click: () => actions.addToDictionary(word) });
    items.push({ type: 'separator' });
  }
  if (facts.isEditable) {
    items.push(
      { role: 'cut', label: labels.cut, enabled: facts.editFlags.canCut },
      { role: 'copy', label: labels.copy, enabled: facts.editFlags.canCopy },
      { role: 'paste', label: labels.paste, enabled: facts.editFlags.canPaste },
      { type: 'separator' },
      { role: 'selectAll', label: labels.selectAll, enabled: facts.editFlags.canSelectAll },
    );
  } else if (facts.selectionText.trim() !== '') {
    items.push({ role: 'copy', label: labels.copy, enabled: facts.editFlags.canCopy });
  }
  return items;
}
