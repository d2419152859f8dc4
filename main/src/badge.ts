/**
 * The unread count on the operating system's surfaces: the macOS dock's badge, the Windows
 * taskbar's overlay icon, the Linux launcher's count (Unity's launcher API, which
 * `app.setBadgeCount` speaks). Windows draws no text for us, so the overlay is a small
 * bitmap made here: a red disc with the count in a tiny pixel font, 1 to 9 and then "9+".
 */

/** The text of a badge: nothing for 0, the count up to 9, then "9+". */
export function badgeText(count: number): string {
  if (!Number.isFinite(count) || count <= 0) return '';
  return count > 9 ? '9+' : String(Math.floor(count));
}

/** 3×5 glyphs, one string per row, '#' for a lit pixel. */
const GLYPHS: Record<string, readonly string[]> = {
  '0': ['###', '#.#', '#.#', '#.#', '###'],
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['###', '..#', '###', '#..', '###'],
  '3': ['###', '..#', '.##', '..#', '###'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '###', '..#', '###'],
  '6': ['###', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '###'],
  '+': ['...', '.#.', '###', '.#.', '...'],
};

export const OVERLAY_SIZE = 16;
/** Each font pixel is drawn as a 2×2 block: a 6×10 digit on a 16×16 disc. */
const SCALE = 2;

export type Bitmap = { width: number; height: number; buffer: Buffer };

const RED = { b: 0x1c, g: 0x1c, r: 0xc6, a: 0xff };
const WHITE = { b: 0xff, g: 0xff, r: 0xff, a: 0xff };

/**
 * The overlay for a count, as BGRA pixels for `nativeImage.createFromBitmap` (straight
 * alpha; white on #c61c1c has a contrast of 5.9:1). Null for 0: no overlay.
 */
export function overlayBitmap(count: number): Bitmap | null {
  const text = badgeText(count);
  if (text === '') return null;
  const size = OVERLAY_SIZE;
  const buffer = Buffer.alloc(size * size * 4);
  const put = (x: number, y: number, colour: typeof RED): void => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    const at = (y * size + x) * 4;
    buffer[at] = colour.b;
    buffer[at + 1] = colour.g;
    buffer[at + 2] = colour.r;
    buffer[at + 3] = colour.a;
  };
  // The disc: every pixel whose centre is inside the circle.
  const radius = size / 2;
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const dx = x + 0.5 - radius;
      const dy = y + 0.5 - radius;
      if (dx * dx + dy * dy <= radius * radius) put(x, y, RED);
    }
  }
  // Two glyphs ("9+") are drawn at scale 1 side by side with a gap; one at scale 2.
  const scale = text.length === 1 ? SCALE : 1;
  const glyphWidth = 3 * scale;
  const gap = text.length === 1 ? 0 : 1;
  const width = text.length * glyphWidth + (text.length - 1) * gap;
  const height = 5 * scale;
  const left = Math.floor((size - width) / 2);
  const top = Math.floor((size - height) / 2);
  [...text].forEach((character, index) => {
    const glyph = GLYPHS[character] ?? [];
    const originX = left + index * (glyphWidth + gap);
    glyph.forEach((row, gy) => {
      [...row].forEach((cell, gx) => {
        if (cell !== '#') return;
        for (let sy = 0; sy < scale; sy += 1) {
          for (let sx = 0; sx < scale; sx += 1) put(originX + gx * scale + sx, top + gy * scale + sy, WHITE);
        }
      });
    });
  });
  return { width: size, height: size, buffer };
}

/** What `applyBadge` needs of Electron: `app`, the main window and `nativeImage`. */
export type BadgeTarget = {
  platform: string;
  setBadgeCount(count: number): boolean;
  /** macOS only: `app.dock.setBadge`. */
  setDockBadge?(text: string): void;
  /** Windows only: `win.setOverlayIcon` with an image made from the bitmap, or null to clear. */
  setOverlay?(bitmap: Bitmap | null, description: string): void;
};

/**
 * Puts the count where each system shows one. `description` is the overlay's accessible
 * text (Windows reads it to screen readers).
 */
export function applyBadge(target: BadgeTarget, count: number, description: string): void {
  if (target.platform === 'darwin') {
    if (target.setDockBadge !== undefined) target.setDockBadge(badgeText(count));
    else target.setBadgeCount(count);
    return;
  }
  if (target.platform === 'win32') {
    target.setOverlay?.(overlayBitmap(count), count > 0 ? description : '');
    return;
  }
  // Linux: Unity's launcher API (GNOME's Dash to Dock, KDE, elementary read it too).
  target.setBadgeCount(count);
}
