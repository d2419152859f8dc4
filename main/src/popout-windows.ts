/**
 * Conversations in windows of their own. One window per conversation: asking again brings
 * the open one forward. Each new window opens a little below and right of the one the agent
 * works in, at the size the last pop-out was left at, always inside a screen that exists.
 * Electron's windows are injected, so the registry and the placement run in Node.
 */
import { z } from 'zod';
import { readJsonFile, writeJsonFile } from './json-file.js';
import type { Rectangle, StateFiles } from './window-state.js';

/** The URL parameter that makes the page render one conversation's thread alone. */
export const POP_OUT_PARAM = 'popout';

export const DEFAULT_POP_OUT_SIZE = { width: 560, height: 760 } as const;
export const MIN_POP_OUT_SIZE = { width: 400, height: 420 } as const;
/** How far each new window steps from the previous one, so none hides another exactly. */
const CASCADE_STEP = 32;

export type Size = { width: number; height: number };

const sizeSchema = z.object({
  width: z.number().int().positive().max(100_000),
  height: z.number().int().positive().max(100_000),
});

/** The page of a pop-out window: the app's entry with the conversation in its query. */
export function popOutUrl(entryUrl: string, conversationId: string): string {
  const url = new URL(entryUrl);
  url.search = '';
  url.hash = '';
  url.searchParams.set(POP_OUT_PARAM, conversationId);
  return url.toString();
}

function overlapArea(a: Rectangle, b: Rectangle): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

/**
 * Where the `index`-th open pop-out goes (0 for the first): stepped from `anchor` (the
 * window it was opened from), at `size` (the remembered one, else the default), moved and
 * shrunk as needed to sit inside the screen it overlaps most, or centred on the primary
 * screen when it overlaps none.
 */
export function placePopOut(options: {
  size: Size | undefined;
  anchor: Rectangle | null;
  index: number;
  workAreas: readonly Rectangle[];
  primary: Rectangle;
}): Rectangle {
  const { anchor, primary, workAreas } = options;
  const wanted = options.size ?? DEFAULT_POP_OUT_SIZE;
  const step = CASCADE_STEP * ((options.index % 8) + 1);
  const proposed: Rectangle =
    anchor === null
      ? {
          x: primary.x + Math.round((primary.width - wanted.width) / 2),
          y: primary.y + Math.round((primary.height - wanted.height) / 2),
          ...wanted,
        }
      : { x: anchor.x + step, y: anchor.y + step, ...wanted };
  let area: Rectangle | undefined;
  let best = 0;
  for (const candidate of workAreas) {
    const overlap = overlapArea(proposed, candidate);
    if (overlap > best) {
      area = candidate;
      best = overlap;
    }
  }
  const screen = area ?? primary;
  const fit = (value: number, min: number, max: number): number => Math.min(Math.max(value, Math.min(min, max)), max);
  const width = fit(wanted.width, MIN_POP_OUT_SIZE.width, screen.width);
  const height = fit(wanted.height, MIN_POP_OUT_SIZE.height, screen.height);
  const start =
    area === undefined
      ? { x: screen.x + (screen.width - width) / 2, y: screen.y + (screen.height - height) / 2 }
      : proposed;
  return {
    x: Math.round(Math.min(Math.max(start.x, screen.x), screen.x + screen.width - width)),
    y: Math.round(Math.min(Math.max(start.y, screen.y), screen.y + screen.height - height)),
    width,
    height,
  };
}

/** The size the last pop-out window was left at, in a JSON file in userData. */
export class PopOutSizeStore {
  constructor(
    private readonly filePath: string,
    private readonly files: StateFiles,
    private readonly onWarning: (message: string, error?: unknown) => void = () => {},
  ) {}

  load(): Size | undefined {
    return readJsonFile(this.filePath, this.files, sizeSchema, this.onWarning);
  }

  save(size: Size): void {
    writeJsonFile(this.filePath, this.files, { width: size.width, height: size.height }, this.onWarning);
  }
}

/** What the registry needs of a BrowserWindow. */
export type PopOutWindowLike = {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  focus(): void;
  getNormalBounds(): Rectangle;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
};

export type PopOutDeps<W extends PopOutWindowLike> = {
  /** Makes the window (with the app's secure options) at `bounds`, loading `url`. */
  create: (conversationId: string, bounds: Rectangle) => W;
  sizes: Pick<PopOutSizeStore, 'load' | 'save'>;
  screens: () => { workAreas: readonly Rectangle[]; primary: Rectangle };
  /** The window the agent opened it from (the focused one), if any. */
  anchor: () => Rectangle | null;
};

export class PopOutWindows<W extends PopOutWindowLike> {
  private readonly windows = new Map<string, W>();

  constructor(private readonly deps: PopOutDeps<W>) {}

  /** Opens the conversation's window, or brings forward the one already open. */
  open(conversationId: string): 'created' | 'focused' {
    const existing = this.windows.get(conversationId);
    if (existing !== undefined && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore();
      existing.focus();
      return 'focused';
    }
    const { workAreas, primary } = this.deps.screens();
    const bounds = placePopOut({
      size: this.deps.sizes.load(),
      anchor: this.deps.anchor(),
      index: this.windows.size,
      workAreas,
      primary,
    });
    const window = this.deps.create(conversationId, bounds);
    this.windows.set(conversationId, window);
    window.on('close', () => {
      const { width, height } = window.getNormalBounds();
      this.deps.sizes.save({ width, height });
    });
    window.on('closed', () => {
      if (this.windows.get(conversationId) === window) this.windows.delete(conversationId);
    });
    return 'created';
  }

  /** The conversations open in windows of their own. */
  conversations(): string[] {
    return [...this.windows.keys()];
  }

  /** Every open pop-out window (events such as the update status go to each). */
  all(): W[] {
    return [...this.windows.values()].filter((window) => !window.isDestroyed());
  }
}
