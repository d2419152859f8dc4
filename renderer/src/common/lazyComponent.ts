import { createElement, lazy, useState, type ComponentType, type FunctionComponent } from 'react';

/** A component whose code loads on first use, or sooner when asked to (`preload`). */
export type LazyComponent<P extends object> = FunctionComponent<P> & {
  /** Starts loading the code now, so the first use does not wait for it. */
  preload(): Promise<unknown>;
};

/**
 * Keeps a screen's code out of what the app evaluates before the first rows paint: the list
 * is what an agent waits for; the thread, the panels and the dialogs follow a moment later.
 * A failed load (a file missing after an update) is tried again on the next use.
 *
 * Once the code is in, a new use renders it in the same frame, without suspending: a
 * dialog opened by a shortcut has its field focused before the next key arrives, so
 * nothing typed straight after Ctrl+K is lost (or taken as a shortcut by the list).
 */
export function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>): LazyComponent<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<{ default: ComponentType<P> }> | null = null;
  const start = (): Promise<{ default: ComponentType<P> }> => {
    loading ??= load().then(
      (component) => {
        loaded = component;
        return { default: component };
      },
      (error: unknown) => {
        loading = null;
        throw error;
      },
    );
    return loading;
  };
  const Lazy = lazy(start);
  function LazyOrLoaded(props: P) {
    // Chosen once per use, so a use that began suspended is never remounted by the switch.
    const [direct] = useState(() => loaded);
    return direct === null ? createElement(Lazy, props) : createElement(direct, props);
  }
  return Object.assign(LazyOrLoaded, { preload: start });
}
