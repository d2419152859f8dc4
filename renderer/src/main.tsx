import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './shell/App.js';
import { currentLocale, setLanguage } from './common/i18n/index.js';
import { theme } from './common/theme.js';
import { getSettings, languageFor } from './features/settings/index.js';
import { mark } from './common/marks.js';
import { startApp } from './shell/boot.js';

/** The longest React's first render waits for the start (which bounds its own wait for the cache). */
const START_RENDER_WAIT_MS = 1000;

mark('boot');
// Who is signed in, their cache and the list's first page: started before React renders.
const starting = startApp();

// The first frame is already in the language the agent chose; i18n keeps <html lang> in
// step after each change.
setLanguage(languageFor(getSettings().language, navigator.languages));
document.documentElement.lang = currentLocale();

const root = document.getElementById('root');
if (root === null) throw new Error('The page has no #root element.');
const render = (): void =>
  createRoot(root).render(
    <StrictMode>
      {/* The settings are the one place the choice of theme is kept: MUI stores nothing of its own. */}
      <ThemeProvider theme={theme} defaultMode={getSettings().theme} storageManager={null} noSsr>
        <CssBaseline enableColorScheme />
        <App />
      </ThemeProvider>
    </StrictMode>,
  );
// React's first render waits for the start (bounded in boot.ts): a render before it would
// only show a spinner, and hold up the cache's answers on the way to the first rows while
// it ran. The first frame is then the inbox with its rows, or the sign-in.
// A start held up longer than that (a slow desktop bridge) shows its spinner meanwhile.
let rendered = false;
const renderOnce = (): void => {
  if (rendered) return;
  rendered = true;
  render();
};
void starting.then(renderOnce, renderOnce);
setTimeout(renderOnce, START_RENDER_WAIT_MS);

// In a browser, keep the app's own files so a reload works offline. The desktop app
// loads them from disk (app://) and needs no service worker.
if (import.meta.env.PROD && 'serviceWorker' in navigator && window.location.protocol.startsWith('http')) {
  void navigator.serviceWorker.register('./sw.js').catch((error: unknown) => {
    console.warn('Parley: offline reloads are unavailable (service worker failed)', error);
  });
}
