import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  placeWindow,
  WindowStateStore,
  type Rectangle,
  type TrackedWindow,
  type WindowState,
} from '../src/window-state.js';

const laptop: Rectangle = { x: 0, y: 0, width: 1440, height: 875 };
const rightMonitor: Rectangle = { x: 1440, y: -200, width: 2560, height: 1400 };

describe('placeWindow', () => {
  it('opens a first window at the default size, centred on the primary screen', () => {
    expect(placeWindow(undefined, [laptop], laptop)).toEqual({
      bounds: { x: 80, y: 38, width: 1280, height: 800 },
      maximized: false,
    });
  });

  it('reopens where it was when that place is still on a screen', () => {
    const saved: WindowState = { bounds: { x: 2000, y: 100, width: 1600, height: 1000 }, maximized: true };
    expect(placeWindow(saved, [laptop, rightMonitor], laptop)).toEqual(saved);
  });

  it('centres on the primary screen when the screen it was on is gone', () => {
    const saved: WindowState = { bounds: { x: 2000, y: 100, width: 1200, height: 700 }, maximized: false };
    expect(placeWindow(saved, [laptop], laptop)).toEqual({
      bounds: { x: 120, y: 88, width: 1200, height: 700 },
      maximized: false,
    });
  });

  it('pulls a window hanging off an edge back inside the screen it overlaps most', () => {
    const saved: WindowState = { bounds: { x: 1300, y: -50, width: 1000, height: 700 }, maximized: false };
    // 140 px on the laptop, 860 on the monitor: it goes to the monitor, whole.
    expect(placeWindow(saved, [laptop, rightMonitor], laptop).bounds).toEqual({
      x: 1440,
      y: -50,
      width: 1000,
      height: 700,
    });
    const low: WindowState = { bounds: { x: -300, y: 600, width: 1000, height: 700 }, maximized: false };
    expect(placeWindow(low, [laptop], laptop).bounds).toEqual({ x: 0, y: 175, width: 1000, height: 700 });
  });

  it('shrinks a window larger than its screen to fit, but not below the minimum size', () => {
    const small: Rectangle = { x: 0, y: 0, width: 1024, height: 600 };
    const saved: WindowState = { bounds: { x: 0, y: 0, width: 3000, height: 2000 }, maximized: false };
    expect(placeWindow(saved, [small], small).bounds).toEqual({ x: 0, y: 0, width: 1024, height: 600 });
    const tiny: WindowState = { bounds: { x: 10, y: 10, width: 100, height: 100 }, maximized: false };
    expect(placeWindow(tiny, [small], small).bounds).toEqual({ x: 10, y: 10, width: 720, height: 480 });
  });

  it('never places any window off every screen', () => {
    const screens = [laptop, rightMonitor];
    for (const x of [-5000, -1000, 0, 1400, 3900, 9000]) {
      for (const y of [-3000, -250, 0, 850, 5000]) {
        const { bounds } = placeWindow(
          { bounds: { x, y, width: 1280, height: 800 }, maximized: false },
          screens,
          laptop,
        );
        const inside = screens.some(
          (area) =>
            bounds.x >= area.x &&
            bounds.y >= area.y &&
            bounds.x + bounds.width <= area.x + area.width &&
            bounds.y + bounds.height <= area.y + area.height,
        );
        expect(inside, `${x},${y} → ${JSON.stringify(bounds)}`).toBe(true);
      }
    }
  });
});

class FakeWindow implements TrackedWindow {
  bounds: Rectangle = { x: 10, y: 20, width: 1000, height: 700 };
  maximized = false;
  minimized = false;
  fullScreen = false;
  private readonly listeners = new Map<string, (() => void)[]>();
  getNormalBounds = (): Rectangle => ({ ...this.bounds });
  isMaximized = (): boolean => this.maximized;
  isMinimized = (): boolean => this.minimized;
  isFullScreen = (): boolean => this.fullScreen;
  on = (event: string, listener: () => void): void => {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  };
  emit(event: string): void {
    for (const listener of this.listeners.get(event) ?? []) listener();
  }
}

describe('WindowStateStore', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-window-'));
    file = path.join(dir, 'window-state.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('saves the window as it was on close and reads it back at the next start', () => {
    const window = new FakeWindow();
    new WindowStateStore(file, fs).track(window);
    window.bounds = { x: 100, y: 50, width: 1100, height: 750 };
    window.maximized = true;
    window.emit('maximize');
    window.emit('close');
    expect(new WindowStateStore(file, fs).load()).toEqual({
      bounds: { x: 100, y: 50, width: 1100, height: 750 },
      maximized: true,
    });
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
  });

  it('keeps the last normal state when the window closes minimized or full screen', () => {
    const window = new FakeWindow();
    new WindowStateStore(file, fs).track(window);
    window.bounds = { x: 0, y: 0, width: 2560, height: 1440 };
    window.fullScreen = true;
    window.emit('resize');
    window.minimized = true;
    window.emit('close');
    expect(new WindowStateStore(file, fs).load()?.bounds).toEqual({ x: 10, y: 20, width: 1000, height: 700 });
  });

  it('ignores a missing, corrupt or foreign file', () => {
    const warnings: string[] = [];
    const store = new WindowStateStore(file, fs, (message) => warnings.push(message));
    expect(store.load()).toBeUndefined();
    fs.writeFileSync(file, '{not json');
    expect(store.load()).toBeUndefined();
    fs.writeFileSync(file, JSON.stringify({ bounds: { x: 'a' }, maximized: false }));
    expect(store.load()).toBeUndefined();
    expect(warnings).toHaveLength(2);
  });
});
