/**
 * The main window's size, position and maximized state, remembered across restarts in a
 * JSON file in userData. A remembered place is only used where it is visible: on the screen
 * it overlaps most, clamped inside that screen's work area; when no screen shows it (the
 * monitor is gone), the window is centred on the primary screen instead.
 */
import { readJsonFile, writeJsonFile, type JsonFiles } from './json-file.js';
import { z } from 'zod';

export type Rectangle = { x: number; y: number; width: number; height: number };

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 800 } as const;
export const MIN_WINDOW_SIZE = { width: 720, height: 480 } as const;

const rectangleSchema = z.object({
  x: z.number().int().min(-100_000).max(100_000),
  y: z.number().int().min(-100_000).max(100_000),
  width: z.number().int().positive().max(100_000),
  height: z.number().int().positive().max(100_000),
});

export const windowStateSchema = z.object({
  /** The window's bounds when not maximized, so that un-maximizing goes back there. */
  bounds: rectangleSchema,
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof windowStateSchema>;

export type Placement = { bounds: Rectangle; maximized: boolean };

function overlapArea(a: Rectangle, b: Rectangle): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

function fitSize(size: { width: number; height: number }, area: Rectangle): { width: number; height: number } {
  // Never larger than the screen; never smaller than the minimum unless the screen is.
  const clamp = (value: number, min: number, max: number): number => Math.min(Math.max(value, Math.min(min, max)), max);
  return {
    width: clamp(size.width, MIN_WINDOW_SIZE.width, area.width),
    height: clamp(size.height, MIN_WINDOW_SIZE.height, area.height),
  };
}

function centreIn(size: { width: number; height: number }, area: Rectangle): Rectangle {
  const fitted = fitSize(size, area);
  return {
    x: area.x + Math.round((area.width - fitted.width) / 2),
    y: area.y + Math.round((area.height - fitted.height) / 2),
    ...fitted,
  };
}

/**
 * Where to open the window, given what was saved and the work areas of the screens
 * connected now (the primary one first or named).
 */
export function placeWindow(
  saved: WindowState | undefined,
  workAreas: readonly Rectangle[],
  primary: Rectangle,
): Placement {
  if (saved === undefined) return { bounds: centreIn(DEFAULT_WINDOW_SIZE, primary), maximized: false };
  let best: Rectangle | undefined;
  let bestArea = 0;
  for (const area of workAreas) {
    const overlap = overlapArea(saved.bounds, area);
    if (overlap > bestArea) {
      best = area;
      bestArea = overlap;
    }
  }
  if (best === undefined) return { bounds: centreIn(saved.bounds, primary), maximized: saved.maximized };
  const size = fitSize(saved.bounds, best);
  const x = Math.min(Math.max(saved.bounds.x, best.x), best.x + best.width - size.width);
  const y = Math.min(Math.max(saved.bounds.y, best.y), best.y + best.height - size.height);
  return { bounds: { x, y, ...size }, maximized: saved.maximized };
}

/** What the store needs of the file system: node:fs's synchronous calls fit. */
export type StateFiles = JsonFiles;

/** What the store needs of a BrowserWindow. */
export type TrackedWindow = {
  getNormalBounds: () => Rectangle;
  isMaximized: () => boolean;
  isMinimized: () => boolean;
  isFullScreen: () => boolean;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'resize', listener: () => void): unknown;
  on(event: 'move', listener: () => void): unknown;
  on(event: 'maximize', listener: () => void): unknown;
  on(event: 'unmaximize', listener: () => void): unknown;
};

export class WindowStateStore {
  private last: WindowState | undefined;

  constructor(
    private readonly filePath: string,
    private readonly files: StateFiles,
    private readonly onWarning: (message: string, error?: unknown) => void = () => {},
  ) {}

  /** The saved state, or undefined when there is none or it is not one we wrote. */
  load(): WindowState | undefined {
    return readJsonFile(this.filePath, this.files, windowStateSchema, this.onWarning);
  }

  /**
   * Follows the window's state as it changes and writes it when the window closes. A
   * minimized or full-screen window keeps the last normal state seen: neither is a place
   * to reopen in.
   */
  track(window: TrackedWindow): void {
    const capture = (): void => {
      if (window.isMinimized() || window.isFullScreen()) return;
      this.last = { bounds: window.getNormalBounds(), maximized: window.isMaximized() };
    };
    capture();
    window.on('resize', capture);
    window.on('move', capture);
    window.on('maximize', capture);
    window.on('unmaximize', capture);
    window.on('close', () => {
      capture();
      this.save();
    });
  }

  /** Writes the last state seen, through a temporary file so a crash never leaves half of one. */
  save(): void {
    if (this.last !== undefined) writeJsonFile(this.filePath, this.files, this.last, this.onWarning);
  }
}
