import { describe, expect, it } from 'vitest';
import { applyBadge, badgeText, overlayBitmap, OVERLAY_SIZE, type Bitmap } from '../src/badge.js';

/** The bitmap as rows of characters: '#' white, 'o' red, '.' transparent. */
function picture(bitmap: Bitmap): string[] {
  const rows: string[] = [];
  for (let y = 0; y < bitmap.height; y += 1) {
    let row = '';
    for (let x = 0; x < bitmap.width; x += 1) {
      const at = (y * bitmap.width + x) * 4;
      const [b, g, r, a] = [bitmap.buffer[at], bitmap.buffer[at + 1], bitmap.buffer[at + 2], bitmap.buffer[at + 3]];
      row += a === 0 ? '.' : r === 255 && g === 255 && b === 255 ? '#' : 'o';
    }
    rows.push(row);
  }
  return rows;
}

describe('badgeText', () => {
  it.each([
    [0, ''],
    [-1, ''],
    [1, '1'],
    [9, '9'],
    [10, '9+'],
    [250, '9+'],
  ])('%i → %j', (count, text) => {
    expect(badgeText(count)).toBe(text);
  });
});

describe('overlayBitmap', () => {
  it('is nothing for no unread conversation', () => {
    expect(overlayBitmap(0)).toBeNull();
  });

  it('is a 16×16 BGRA image', () => {
    const bitmap = overlayBitmap(3);
    expect(bitmap?.width).toBe(OVERLAY_SIZE);
    expect(bitmap?.height).toBe(OVERLAY_SIZE);
    expect(bitmap?.buffer.length).toBe(OVERLAY_SIZE * OVERLAY_SIZE * 4);
  });

  it('draws a red disc: corners transparent, centre lit, red in BGRA order', () => {
    const bitmap = overlayBitmap(1);
    if (bitmap === null) throw new Error('no bitmap');
    const rows = picture(bitmap);
    expect(rows[0]?.[0]).toBe('.');
    expect(rows[15]?.[15]).toBe('.');
    expect(rows[0]?.[8]).toBe('o');
    // The first red pixel: blue 0x1c, green 0x1c, red 0xc6, opaque.
    const at = (0 * 16 + 8) * 4;
    expect([...bitmap.buffer.subarray(at, at + 4)]).toEqual([0x1c, 0x1c, 0xc6, 0xff]);
  });

  it('writes the digit in white, doubled, in the middle', () => {
    const bitmap = overlayBitmap(7);
    if (bitmap === null) throw new Error('no bitmap');
    const rows = picture(bitmap);
    // A 7: a full top bar (6 pixels wide at scale 2) then a stem.
    expect(rows[3]?.slice(5, 11)).toBe('######');
    expect(rows[4]?.slice(5, 11)).toBe('######');
    expect(rows[5]?.slice(5, 11)).toBe('oooo##');
    expect(rows[12]?.slice(5, 11)).toBe('oo##oo');
  });

  it('gives every count from 1 to 9 its own picture, and "9+" beyond', () => {
    const pictures = new Set<string>();
    for (let count = 1; count <= 9; count += 1) {
      const bitmap = overlayBitmap(count);
      if (bitmap === null) throw new Error('no bitmap');
      pictures.add(picture(bitmap).join('\n'));
    }
    expect(pictures.size).toBe(9);
    const many = overlayBitmap(42);
    if (many === null) throw new Error('no bitmap');
    expect(pictures.has(picture(many).join('\n'))).toBe(false);
    expect(picture(many).join('\n')).toBe(picture(overlayBitmap(10) as Bitmap).join('\n'));
  });
});

describe('applyBadge', () => {
  function target(platform: string) {
    const calls: unknown[][] = [];
    return {
      calls,
      target: {
        platform,
        setBadgeCount: (count: number) => {
          calls.push(['count', count]);
          return true;
        },
        setDockBadge: (text: string) => void calls.push(['dock', text]),
        setOverlay: (bitmap: Bitmap | null, description: string) =>
          void calls.push(['overlay', bitmap === null ? null : 'bitmap', description]),
      },
    };
  }

  it('puts the text on the macOS dock', () => {
    const { calls, target: mac } = target('darwin');
    applyBadge(mac, 12, '12 unread');
    applyBadge(mac, 0, '');
    expect(calls).toEqual([
      ['dock', '9+'],
      ['dock', ''],
    ]);
  });

  it('puts an overlay on the Windows taskbar, and takes it off at 0', () => {
    const { calls, target: windows } = target('win32');
    applyBadge(windows, 2, '2 unread conversations');
    applyBadge(windows, 0, '0 unread conversations');
    expect(calls).toEqual([
      ['overlay', 'bitmap', '2 unread conversations'],
      ['overlay', null, ''],
    ]);
  });

  it("gives Linux launchers the count (Unity's launcher API)", () => {
    const { calls, target: linux } = target('linux');
    applyBadge(linux, 4, '');
    expect(calls).toEqual([['count', 4]]);
  });
});
