import { describe, expect, it } from 'vitest';
import {
  createShortcutMatcher,
  filterCommands,
  matchesChord,
  matchScore,
  parseShortcut,
  shortcutKeys,
  type Command,
  type KeyLike,
} from '../../src/common/commands.js';

function key(k: string, modifiers: Partial<Omit<KeyLike, 'key'>> = {}): KeyLike {
  return { key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...modifiers };
}

function command(id: string, title: string, more: Partial<Command> = {}): Command {
  return { id, title, group: 'app', run: () => undefined, ...more };
}

describe('parsing shortcuts', () => {
  it('reads modifiers, keys and sequences', () => {
    expect(parseShortcut('mod+k')).toEqual([{ key: 'k', mod: true, shift: false, alt: false }]);
    expect(parseShortcut('g i')).toEqual([
      { key: 'g', mod: false, shift: false, alt: false },
      { key: 'i', mod: false, shift: false, alt: false },
    ]);
    expect(parseShortcut('Shift+C')).toEqual([{ key: 'c', mod: false, shift: true, alt: false }]);
    expect(parseShortcut('mod+,')).toEqual([{ key: ',', mod: true, shift: false, alt: false }]);
    expect(parseShortcut('mod++')).toEqual([{ key: '+', mod: true, shift: false, alt: false }]);
  });

  it('matches Ctrl on Linux and Windows, ⌘ on a Mac, and never the other one', () => {
    const [chord] = parseShortcut('mod+k');
    if (chord === undefined) throw new Error('no chord');
    expect(matchesChord(chord, key('k', { ctrlKey: true }), false)).toBe(true);
    expect(matchesChord(chord, key('K', { ctrlKey: true }), false)).toBe(true);
    expect(matchesChord(chord, key('k', { metaKey: true }), false)).toBe(false);
    expect(matchesChord(chord, key('k', { metaKey: true }), true)).toBe(true);
    expect(matchesChord(chord, key('k', { ctrlKey: true }), true)).toBe(false);
    expect(matchesChord(chord, key('k'), false)).toBe(false);
  });

  it('tells a letter from the same letter with Shift, but not a symbol typed with Shift', () => {
    const [e] = parseShortcut('e');
    const [question] = parseShortcut('?');
    const [shiftC] = parseShortcut('shift+c');
    if (e === undefined || question === undefined || shiftC === undefined) throw new Error('no chord');
    expect(matchesChord(e, key('e'), false)).toBe(true);
    expect(matchesChord(e, key('E', { shiftKey: true }), false)).toBe(false);
    expect(matchesChord(question, key('?', { shiftKey: true }), false)).toBe(true);
    expect(matchesChord(question, key('?'), false)).toBe(true);
    expect(matchesChord(shiftC, key('C', { shiftKey: true }), false)).toBe(true);
    expect(matchesChord(shiftC, key('c'), false)).toBe(false);
  });

  it('shows keys the way each platform writes them', () => {
    expect(shortcutKeys('mod+k', false)).toEqual([['Ctrl', 'K']]);
    expect(shortcutKeys('mod+k', true)).toEqual([['⌘', 'K']]);
    expect(shortcutKeys('g i', false)).toEqual([['G'], ['I']]);
    expect(shortcutKeys('arrowdown', false)).toEqual([['↓']]);
    expect(shortcutKeys('escape', false, (k) => (k === 'escape' ? 'Échap' : null))).toEqual([['Échap']]);
  });
});

describe('the shortcut matcher', () => {
  const resolve = command('resolve', 'Resolve', { shortcut: 'e' });
  const mine = command('mine', 'Mine', { shortcut: 'g i' });
  const unassigned = command('unassigned', 'Unassigned', { shortcut: 'g u' });
  const next = command('next', 'Next', { shortcut: 'j', moreShortcuts: ['arrowdown'] });
  const off = command('off', 'Off', { shortcut: 'x', disabled: true });
  const all = [resolve, mine, unassigned, next, off];

  it('runs a single key, and any of a command’s shortcuts', () => {
    const matcher = createShortcutMatcher(false);
    expect(matcher.press(key('e'), all)).toBe(resolve);
    expect(matcher.press(key('j'), all)).toBe(next);
    expect(matcher.press(key('ArrowDown'), all)).toBe(next);
  });

  it('waits for the second key of a sequence, then runs the one it completes', () => {
    const matcher = createShortcutMatcher(false);
    expect(matcher.press(key('g'), all)).toBe('pending');
    expect(matcher.press(key('Shift'), all)).toBe('pending');
    expect(matcher.press(key('u'), all)).toBe(unassigned);
    expect(matcher.press(key('g'), all)).toBe('pending');
    expect(matcher.press(key('i'), all)).toBe(mine);
  });

  it('starts over when a sequence is broken, and lets the breaking key count', () => {
    const matcher = createShortcutMatcher(false);
    expect(matcher.press(key('g'), all)).toBe('pending');
    expect(matcher.press(key('e'), all)).toBe(resolve);
    expect(matcher.press(key('i'), all)).toBeNull();
  });

  it('never runs a disabled command, nor a key with an unexpected modifier', () => {
    const matcher = createShortcutMatcher(false);
    expect(matcher.press(key('x'), all)).toBeNull();
    expect(matcher.press(key('e', { ctrlKey: true }), all)).toBeNull();
    expect(matcher.press(key('e', { altKey: true }), all)).toBeNull();
  });
});

describe('filtering commands', () => {
  const commands = [
    command('assign', 'Assign…', { keywords: ['transfer', 'colleague'] }),
    command('assignToMe', 'Assign to me'),
    command('resolve', 'Resolve', { keywords: ['close', 'done'] }),
    command('snooze', 'Snooze'),
    command('settings', 'Settings'),
    command('team', 'Team: Élodie’s billing'),
  ];
  const ids = (query: string): string[] => filterCommands(commands, query).map((c) => c.id);

  it('keeps every command, in order, for an empty query', () => {
    expect(ids('')).toEqual(['assign', 'assignToMe', 'resolve', 'snooze', 'settings', 'team']);
  });

  it('puts prefixes first, then word starts, then substrings, then letters in order', () => {
    expect(ids('s').slice(0, 2)).toEqual(['snooze', 'settings']);
    expect(ids('me')).toEqual(['assignToMe', 'team']);
    expect(ids('sno')[0]).toBe('snooze');
    expect(ids('to me')).toEqual(['assignToMe']);
    expect(ids('atm')).toEqual(['assignToMe']);
  });

  it('finds by keywords, below a title that matches as well', () => {
    expect(ids('close')).toEqual(['resolve']);
    expect(ids('transfer')).toEqual(['assign']);
  });

  it('ignores case and accents', () => {
    expect(ids('ELODIE')).toEqual(['team']);
    expect(matchScore('Élodie', 'elo')).not.toBeNull();
    expect(matchScore('Snooze', 'zz z')).toBeNull();
  });
});
