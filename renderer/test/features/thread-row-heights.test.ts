import { describe, expect, it } from 'vitest';
import { keepRowHeight, knownRowHeight, logWidthIs } from '../../src/features/conversation/thread/rowHeights.js';

describe("the thread's known row heights", () => {
  it('keeps what was measured, the most recent rows only, and forgets them at another width', () => {
    logWidthIs(600);
    keepRowHeight('m-1', 84);
    keepRowHeight('day:1', 44);
    expect(knownRowHeight('m-1')).toBe(84);
    // Measured again: the new height wins.
    keepRowHeight('m-1', 120);
    expect(knownRowHeight('m-1')).toBe(120);
    // The same width (a layout pass that reports it again) keeps them; a width of zero (a log
    // out of sight) says nothing.
    logWidthIs(600.4);
    logWidthIs(0);
    expect(knownRowHeight('day:1')).toBe(44);
    // Bounded: the oldest go first ('m-1' was kept again, so 'day:1' is the oldest).
    for (let n = 0; n < 3_000; n += 1) keepRowHeight(`filler-${n}`, 70);
    expect(knownRowHeight('day:1')).toBeUndefined();
    expect(knownRowHeight('filler-2999')).toBe(70);
    // Rows wrap differently at another width: nothing kept holds there.
    logWidthIs(420);
    expect(knownRowHeight('filler-2999')).toBeUndefined();
  });
});
