import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { currentLocale, setLanguage } from '../common/i18n/index.js';
import { theme } from '../common/theme.js';
import { getSettings, languageFor } from '../features/settings/index.js';
import { mark } from '../common/marks.js';
import { App } from './App.js';
import type { Started } from './boot.js';

mark('frame');

/** The longest React's first render waits for the start (which bounds its own wait for the cache). */
const START_RENDER_WAIT_MS = 1000;

/**
 * Renders the app once the start (who is signed in, their cache, the list's first page) has
 * answered, or after START_RENDER_WAIT_MS: a render before it would only show a spinner, and
 * hold up the cache's answers on the way to the first rows while it ran. The first frame is
 * then the inbox with its rows, or the sign-in. A start held up longer than that (a slow
 * desktop bridge) shows its spinner meanwhile.
 */
export function renderApp(starting: Promise<Started>): void {
  // The first frame is already in the language the agent chose; i18n keeps <html lang> in
  // step after each change.
  setLanguage(languageFor(getSettings().language, navigator.languages));
  document.documentElement.lang = currentLocale();

  const root = document.getElementById('root');
  if (root === null) throw new Error('The page has no #root element.');
  let rendered = false;
  const renderOnce = (): void => {
    if (rendered) return;
    rendered = true;
    createRoot(root).render(
      <StrictMode>
        {/* The settings are the one place the choice of theme is kept: MUI stores nothing of its own. */}
        <ThemeProvider theme={theme} defaultMode={getSettings().theme} storageManager={null} noSsr>
          <CssBaseline enableColorScheme />
          <App />
        </ThemeProvider>
      </StrictMode>,
    );
  };
  void starting.then(renderOnce, renderOnce);
  setTimeout(renderOnce, START_RENDER_WAIT_MS);
}
