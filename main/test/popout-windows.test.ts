import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POP_OUT_SIZE,
  MIN_POP_OUT_SIZE,
  PopOutSizeStore,
  PopOutWindows,
  placePopOut,
  popOutUrl,
  type PopOutWindowLike,
  type Size,
} from '../src/popout-windows.js';
import type { Rectangle } from '../src/window-state.js';

const SCREEN: Rectangle = { x: 0, y: 0, width: 1920, height: 1080 };
const RIGHT: Rectangle = { x: 1920, y: 0, width: 1280, height: 1024 };

describe('popOutUrl', () => {
  it("puts the conversation in the app page's query, dropping anything else", () => {
    expect(popOutUrl('app://parley/index.html', 'c-1')).toBe('app://parley/index.html?popout=c-1');
    expect(popOutUrl('app://parley/index.html?conversation=x#frag', 'c_2')).toBe('app://parley/index.html?popout=c_2');
  });
});

describe('placePopOut', () => {
  it('steps each new window down and right from the window it came from', () => {
    const anchor = { x: 100, y: 80, width: 1280, height: 800 };
    const first = placePopOut({ size: undefined, anchor, index: 0, workAreas: [SCREEN], primary: SCREEN });
    const second = placePopOut({ size: undefined, anchor, index: 1, workAreas: [SCREEN], primary: SCREEN });
    expect(first).toEqual({ x: 132, y: 112, ...DEFAULT_POP_OUT_SIZE });
    expect(second).toEqual({ x: 164, y: 144, ...DEFAULT_POP_OUT_SIZE });
  });

  it('opens at the remembered size', () => {
    const size = { width: 700, height: 900 };
    expect(placePopOut({ size, anchor: null, index: 0, workAreas: [SCREEN], primary: SCREEN })).toEqual({
      x: 610,
      y: 90,
      ...size,
    });
  });

  it('stays inside the screen it overlaps most, pushed back from its edge', () => {
    const anchor = { x: 2800, y: 700, width: 400, height: 300 };
    const placed = placePopOut({ size: undefined, anchor, index: 0, workAreas: [SCREEN, RIGHT], primary: SCREEN });
    expect(placed.x + placed.width).toBeLessThanOrEqual(RIGHT.x + RIGHT.width);
    expect(placed.y + placed.height).toBeLessThanOrEqual(RIGHT.height);
    expect(placed.x).toBeGreaterThanOrEqual(RIGHT.x);
  });

  it('shrinks to a small screen, never below the minimum unless the screen is smaller', () => {
    const small = { x: 0, y: 0, width: 1024, height: 600 };
    const placed = placePopOut({
      size: { width: 3000, height: 3000 },
      anchor: null,
      index: 0,
      workAreas: [small],
      primary: small,
    });
    expect(placed).toEqual({ x: 0, y: 0, width: 1024, height: 600 });
    const tiny = { x: 0, y: 0, width: 300, height: 300 };
    expect(placePopOut({ size: MIN_POP_OUT_SIZE, anchor: null, index: 0, workAreas: [tiny], primary: tiny })).toEqual(
      tiny,
    );
  });

  it('centres on the primary screen when the window it came from is on no screen', () => {
    const placed = placePopOut({
      size: undefined,
      anchor: { x: 9000, y: 9000, width: 800, height: 600 },
      index: 0,
      workAreas: [SCREEN],
      primary: SCREEN,
    });
    expect(placed).toEqual({ x: 680, y: 160, ...DEFAULT_POP_OUT_SIZE });
  });
});

class FakeWindow implements PopOutWindowLike {
  destroyed = false;
  minimized = false;
  focused = 0;
  restored = 0;
  bounds: Rectangle;
  private readonly listeners = new Map<string, Array<() => void>>();

  constructor(
    readonly conversationId: string,
    bounds: Rectangle,
  ) {
    this.bounds = bounds;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.restored += 1;
    this.minimized = false;
  }
  focus(): void {
    this.focused += 1;
  }
  getNormalBounds(): Rectangle {
    return this.bounds;
  }
  on(event: 'close' | 'closed', listener: () => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  close(): void {
    for (const listener of this.listeners.get('close') ?? []) listener();
    this.destroyed = true;
    for (const listener of this.listeners.get('closed') ?? []) listener();
  }
}

function registry(saved?: Size) {
  const created: FakeWindow[] = [];
  const sizes: { saved: Size | undefined } = { saved };
  const windows = new PopOutWindows<FakeWindow>({
    create: (conversationId, bounds) => {
      const window = new FakeWindow(conversationId, bounds);
      created.push(window);
      return window;
    },
    sizes: { load: () => sizes.saved, save: (size) => void (sizes.saved = size) },
    screens: () => ({ workAreas: [SCREEN], primary: SCREEN }),
    anchor: () => ({ x: 0, y: 0, width: 1280, height: 800 }),
  });
  return { windows, created, sizes };
}

describe('PopOutWindows', () => {
  it('opens one window per conversation and brings the open one forward', () => {
    const { windows, created } = registry();
    expect(windows.open('a')).toBe('created');
    expect(windows.open('b')).toBe('created');
    created[0]!.minimized = true;
    expect(windows.open('a')).toBe('focused');
    expect(created).toHaveLength(2);
    expect(created[0]).toMatchObject({ restored: 1, focused: 1 });
    expect(windows.conversations()).toEqual(['a', 'b']);
    // The second steps away from the first so it does not cover it exactly.
    expect(created[1]!.bounds.x).toBeGreaterThan(created[0]!.bounds.x);
  });

  it('remembers the size a window was closed at, for the next one', () => {
    const { windows, created, sizes } = registry();
    windows.open('a');
    created[0]!.bounds = { x: 10, y: 10, width: 640, height: 700 };
    created[0]!.close();
    expect(sizes.saved).toEqual({ width: 640, height: 700 });
    expect(windows.conversations()).toEqual([]);
    expect(windows.all()).toEqual([]);
    expect(windows.open('a')).toBe('created');
    expect(created[1]!.bounds).toMatchObject({ width: 640, height: 700 });
  });

  it('opens a new window when the old one was destroyed without telling', () => {
    const { windows, created } = registry();
    windows.open('a');
    created[0]!.destroyed = true;
    expect(windows.open('a')).toBe('created');
    expect(windows.all()).toEqual([created[1]]);
  });
});

describe('PopOutSizeStore', () => {
  function files(initial?: string) {
    const disk = new Map<string, string>(initial === undefined ? [] : [['/u/popout.json', initial]]);
    return {
      disk,
      readFileSync: (file: string) => {
        const text = disk.get(file);
        if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return text;
      },
      writeFileSync: (file: string, text: string) => void disk.set(file, text),
      renameSync: (from: string, to: string) => {
        disk.set(to, disk.get(from) ?? '');
        disk.delete(from);
      },
    };
  }

  it('saves and reads back a size', () => {
    const fs = files();
    const store = new PopOutSizeStore('/u/popout.json', fs);
    expect(store.load()).toBeUndefined();
    store.save({ width: 600, height: 800 });
    expect(store.load()).toEqual({ width: 600, height: 800 });
    expect([...fs.disk.keys()]).toEqual(['/u/popout.json']);
  });

  it('ignores a file it did not write', () => {
    const warnings: string[] = [];
    expect(new PopOutSizeStore('/u/popout.json', files('{"width":-1}'), (m) => warnings.push(m)).load()).toBe(
      undefined,
    );
    expect(new PopOutSizeStore('/u/popout.json', files('nope'), (m) => warnings.push(m)).load()).toBe(undefined);
    expect(warnings).toHaveLength(2);
  });
});
