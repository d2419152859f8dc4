import { mark } from './common/marks.js';
import { startApp } from './shell/boot.js';

mark('boot');
// Who is signed in, their cache and the list's first page: started before the rest of the
// app's code (React's renderer, MUI, the screens) is even evaluated, so the cache opens and
// reads off the main thread while that code runs.
const starting = startApp();

// The frame, in a module of its own: loaded beside this one (preloaded), evaluated after the
// start has asked for the cache.
void import('./shell/root.js').then(({ renderApp }) => renderApp(starting));

// In a browser, keep the app's own files so a reload works offline. The desktop app
// loads them from disk (app://) and needs no service worker.
if (import.meta.env.PROD && 'serviceWorker' in navigator && window.location.protocol.startsWith('http')) {
  void navigator.serviceWorker.register('./sw.js').catch((error: unknown) => {
    console.warn('Parley: offline reloads are unavailable (service worker failed)', error);
  });
}
