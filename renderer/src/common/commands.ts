/**
 * Everything an agent can do by keyboard, described once: the command palette lists these,
 * the global shortcut handler runs them, and the shortcut help shows them grouped.
 *
 * A shortcut is written as chords separated by spaces ("g i" is G then I); a chord is
 * modifiers and a key joined by "+" ("mod+k": Ctrl+K, or ⌘K on a Mac). Keys are
 * `KeyboardEvent.key` values in lower case ("escape", "arrowdown", "?", "/").
 */

export type CommandGroup = 'conversation' | 'navigation' | 'views' | 'app';

export const COMMAND_GROUPS: readonly CommandGroup[] = ['conversation', 'navigation', 'views', 'app'];

export type Command = {
  /** Stable and unique: "conversation.assignToMe", "view.mine". */
  id: string;
  /** What the agent reads, in their language. */
  title: string;
  group: CommandGroup;
  /** Its keyboard shortcut, if it has one (see above). */
  shortcut?: string;
  /** Other keys that do the same ("arrowdown" beside "j"); shown after the first. */
  moreShortcuts?: readonly string[];
  /** Its shortcut works even while the agent types in a field (Escape, Ctrl+K). */
  whileTyping?: boolean;
  /** Other words that find it in the palette. */
  keywords?: readonly string[];
  /** Not available now (shown greyed in the palette, never run by its shortcut). */
  disabled?: boolean;
  run: () => void;
};

export type Chord = { key: string; mod: boolean; shift: boolean; alt: boolean };

/** Parses "mod+shift+k" or "g i" into its chords. */
export function parseShortcut(shortcut: string): Chord[] {
  return shortcut
    .trim()
    .split(/\s+/)
    .filter((part) => part !== '')
    .map((part) => {
      // "+" itself is a key: "mod++" ends in an empty piece.
      const pieces =
        part === '+' ? ['+'] : part.endsWith('++') ? [...part.slice(0, -2).split('+'), '+'] : part.split('+');
      const key = (pieces.pop() ?? '').toLowerCase();
      const modifiers = new Set(pieces.map((piece) => piece.toLowerCase()));
      return { key, mod: modifiers.has('mod'), shift: modifiers.has('shift'), alt: modifiers.has('alt') };
    });
}

/** The part of a key event a shortcut looks at. */
export type KeyLike = {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
};

/**
 * Does this key press play this chord? "mod" is ⌘ on a Mac and Ctrl elsewhere. Shift is
 * compared for letters and named keys only: "?" and "/" need Shift on some layouts and
 * not on others, so their character alone decides.
 */
export function matchesChord(chord: Chord, event: KeyLike, mac: boolean): boolean {
  const key = event.key.toLowerCase();
  if (key !== chord.key) return false;
  const mod = mac ? event.metaKey : event.ctrlKey;
  const otherMod = mac ? event.ctrlKey : event.metaKey;
  if (mod !== chord.mod || otherMod) return false;
  if (event.altKey !== chord.alt) return false;
  const printableSymbol = chord.key.length === 1 && !/[a-z0-9]/.test(chord.key);
  if (!printableSymbol && event.shiftKey !== chord.shift) return false;
  return true;
}

/** Is this key press a bare modifier (Shift, Control…), which neither plays nor breaks a sequence? */
export function isModifierKey(key: string): boolean {
  return key === 'Shift' || key === 'Control' || key === 'Alt' || key === 'Meta' || key === 'AltGraph';
}

/**
 * Follows key presses and says which command they complete. Keeps the first chord of a
 * two-chord shortcut ("g" of "g i") until the next press, which completes it or starts over.
 */
export function createShortcutMatcher(mac: boolean): {
  /** The command this press completes, `'pending'` when it starts a sequence, or null. */
  press(event: KeyLike, commands: readonly Command[]): Command | 'pending' | null;
  reset(): void;
} {
  let pending: Chord[] = [];
  function press(event: KeyLike, commands: readonly Command[]): Command | 'pending' | null {
    if (isModifierKey(event.key)) return pending.length > 0 ? 'pending' : null;
    const played = pending.length;
    let prefixOfLonger = false;
    for (const command of commands) {
      if (command.disabled === true) continue;
      for (const shortcut of shortcutsOf(command)) {
        const chords = parseShortcut(shortcut);
        if (chords.length <= played) continue;
        const earlier = pending.every((chord, index) => sameChord(chord, chords[index]));
        const current = chords[played];
        if (!earlier || current === undefined || !matchesChord(current, event, mac)) continue;
        if (chords.length === played + 1) {
          pending = [];
          return command;
        }
        prefixOfLonger = true;
      }
    }
    if (prefixOfLonger) {
      pending = [...pending, chordOf(event, mac)];
      return 'pending';
    }
    const hadPending = pending.length > 0;
    pending = [];
    // A sequence broken off: the press may still start or be a shortcut of its own.
    return hadPending ? press(event, commands) : null;
  }
  return {
    press,
    reset() {
      pending = [];
    },
  };
}

/** Every shortcut of a command, its first one first. */
export function shortcutsOf(command: Command): string[] {
  return command.shortcut === undefined ? [] : [command.shortcut, ...(command.moreShortcuts ?? [])];
}

function sameChord(a: Chord, b: Chord | undefined): boolean {
  return b !== undefined && a.key === b.key && a.mod === b.mod && a.alt === b.alt;
}

function chordOf(event: KeyLike, mac: boolean): Chord {
  return {
    key: event.key.toLowerCase(),
    mod: mac ? event.metaKey : event.ctrlKey,
    shift: event.shiftKey,
    alt: event.altKey,
  };
}

/** The keys a shortcut shows, chord by chord: [["Ctrl", "K"]], [["G"], ["I"]]. Named keys go through `name`. */
export function shortcutKeys(
  shortcut: string,
  mac: boolean,
  name: (key: string) => string | null = () => null,
): string[][] {
  return parseShortcut(shortcut).map((chord) => {
    const keys: string[] = [];
    if (chord.mod) keys.push(mac ? '⌘' : 'Ctrl');
    if (chord.alt) keys.push(mac ? '⌥' : 'Alt');
    if (chord.shift) keys.push(mac ? '⇧' : 'Shift');
    keys.push(name(chord.key) ?? KEY_SYMBOLS[chord.key] ?? chord.key.toUpperCase());
    return keys;
  });
}

const KEY_SYMBOLS: Record<string, string> = {
  arrowup: '↑',
  arrowdown: '↓',
  arrowleft: '←',
  arrowright: '→',
};

/** Is the page on a Mac (⌘ rather than Ctrl)? */
export function isMac(platform: string = typeof navigator === 'undefined' ? '' : navigator.platform): boolean {
  return /mac|iphone|ipad/i.test(platform);
}

/** Is the agent typing in this element, where letters are text and not shortcuts? */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file', 'image'].includes(type);
  }
  const role = target.getAttribute('role');
  return role === 'textbox' || role === 'combobox' || role === 'searchbox';
}

/** Lower case, without accents: "Élodie" is found by "elodie". */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

/**
 * How well `query` finds `text`: higher is better, null when it does not. A prefix beats
 * the start of a word, which beats a substring, which beats the letters in order ("asm"
 * finds "Assign to me").
 */
export function matchScore(text: string, query: string): number | null {
  const haystack = normalize(text);
  const needle = normalize(query).trim();
  if (needle === '') return 0;
  if (haystack.startsWith(needle)) return 400 - haystack.length / 100;
  const at = haystack.indexOf(needle);
  if (at > 0 && /[\s\-_/.,:(]/.test(haystack[at - 1] ?? '')) return 300 - at / 100;
  if (at > 0) return 200 - at / 100;
  // The letters in order, gaps costing a little each.
  let position = 0;
  let gaps = 0;
  for (const letter of needle.replace(/\s+/g, '')) {
    const found = haystack.indexOf(letter, position);
    if (found < 0) return null;
    gaps += found - position;
    position = found + 1;
  }
  return 100 - Math.min(gaps, 99);
}

/** The commands that `query` finds, best first (equal ones keep their order); all of them for an empty query. */
export function filterCommands(commands: readonly Command[], query: string): Command[] {
  if (query.trim() === '') return [...commands];
  const scored: { command: Command; score: number; index: number }[] = [];
  commands.forEach((command, index) => {
    let best = matchScore(command.title, query);
    for (const keyword of command.keywords ?? []) {
      const score = matchScore(keyword, query);
      // A keyword finds a command, but its own title finds it better.
      if (score !== null && (best === null || score - 50 > best)) best = score - 50;
    }
    if (best !== null) scored.push({ command, score: best, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((entry) => entry.command);
}
