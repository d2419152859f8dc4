import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/** A component whose code loads on first use, or sooner when asked to (`preload`). */
export type LazyComponent<P extends object> = LazyExoticComponent<ComponentType<P>> & {
  /** Starts loading the code now, so the first use does not wait for it. */
  preload(): Promise<unknown>;
};

/**
 * Keeps a screen's code out of what the app evaluates before the first rows paint: the list
 * is what an agent waits for; the thread, the panels and the dialogs follow a moment later.
 * A failed load (a file missing after an update) is tried again on the next use.
 */
export function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>): LazyComponent<P> {
  let loading: Promise<{ default: ComponentType<P> }> | null = null;
  const start = (): Promise<{ default: ComponentType<P> }> => {
    loading ??= load().then(
      (component) => ({ default: component }),
      (error: unknown) => {
        loading = null;
        throw error;
      },
    );
    return loading;
  };
  return Object.assign(lazy(start), { preload: start });
}
