import { createElement, Suspense } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { lazyComponent } from '../../src/common/lazyComponent.js';

function Greeting({ name }: { name: string }) {
  return createElement('p', null, `Hello ${name}`);
}

function render(Component: (props: { name: string }) => unknown): string {
  return renderToString(
    createElement(
      Suspense,
      { fallback: createElement('i', null, 'loading') },
      createElement(Component as never, { name: 'Ada' }),
    ),
  );
}

describe('lazyComponent', () => {
  it('suspends while its code loads, and loads it once', async () => {
    let loads = 0;
    const Lazy = lazyComponent(() => {
      loads += 1;
      return Promise.resolve(Greeting);
    });
    expect(render(Lazy)).toContain('loading');
    await Lazy.preload();
    await Lazy.preload();
    expect(loads).toBe(1);
  });

  it('renders in the same pass once preloaded, so a dialog opened by a shortcut has its field at once', async () => {
    const Lazy = lazyComponent(() => Promise.resolve(Greeting));
    await Lazy.preload();
    const html = render(Lazy);
    expect(html).toContain('Hello Ada');
    expect(html).not.toContain('loading');
  });

  it('tries again after a failed load', async () => {
    let attempts = 0;
    const Lazy = lazyComponent(() => {
      attempts += 1;
      return attempts === 1 ? Promise.reject(new Error('missing file')) : Promise.resolve(Greeting);
    });
    await expect(Lazy.preload()).rejects.toThrow('missing file');
    await Lazy.preload();
    expect(render(Lazy)).toContain('Hello Ada');
  });
});
