import { createTheme, type Theme } from '@mui/material/styles';
import type { Channel } from '@parley/protocol';

/** The thread's own colours: bubbles, quotes and the "read" ticks. */
export type ThreadPalette = {
  inbound: string;
  outbound: string;
  note: string;
  quote: string;
  quoteBar: string;
  readTick: string;
  highlight: string;
};

declare module '@mui/material/styles' {
  // Module augmentation merges only interfaces, so these two cannot be `type`s.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface Palette {
    thread: ThreadPalette;
  }
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface PaletteOptions {
    thread?: ThreadPalette;
  }
}

/**
 * The one theme. Colours live here and nowhere else. Light or dark follows the system
 * unless the agent picks one in the settings: the scheme is a class on <html>
 * ("light"/"dark"), set by MUI's `useColorScheme().setMode`, so it switches at once.
 */
export const theme: Theme = createTheme({
  cssVariables: { colorSchemeSelector: 'class' },
  colorSchemes: {
    light: {
      palette: {
        primary: { main: '#3949ab' },
        secondary: { main: '#00897b' },
        background: { default: '#f4f5fa', paper: '#ffffff' },
        thread: {
          inbound: '#ffffff',
          outbound: '#dfe4fb',
          note: '#fff4d6',
          quote: 'rgba(57, 73, 171, 0.07)',
          quoteBar: '#3949ab',
          readTick: '#1e88e5',
          highlight: 'rgba(255, 193, 7, 0.35)',
        },
      },
    },
    dark: {
      palette: {
        primary: { main: '#9fa8da' },
        secondary: { main: '#4db6ac' },
        background: { default: '#12131a', paper: '#1c1d26' },
        thread: {
          inbound: '#252733',
          outbound: '#2e3770',
          note: '#4a3f1d',
          quote: 'rgba(159, 168, 218, 0.12)',
          quoteBar: '#9fa8da',
          readTick: '#64b5f6',
          highlight: 'rgba(255, 213, 79, 0.25)',
        },
      },
    },
  },
  shape: { borderRadius: 10 },
  components: {
    // Focus is always visible, keyboard or not, in both schemes: a 2px ring in the
    // primary colour (7:1 against the light paper, 8:1 against the dark one).
    MuiCssBaseline: {
      styleOverrides: {
        ':focus-visible': {
          outline: '2px solid var(--mui-palette-primary-main)',
          outlineOffset: 2,
        },
        // Inside a field, the field's own outline shows the focus.
        'input:focus-visible, textarea:focus-visible': { outline: 'none' },
      },
    },
    MuiButtonBase: {
      styleOverrides: {
        root: {
          '&.Mui-focusVisible': {
            outline: '2px solid var(--mui-palette-primary-main)',
            outlineOffset: 2,
          },
        },
      },
    },
    MuiMenuItem: {
      styleOverrides: {
        root: {
          '&.Mui-focusVisible': { outlineOffset: -2 },
        },
      },
    },
  },
  typography: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  },
});

/** Each platform's brand colour, for its small badge. */
export const channelColor: Record<Channel, string> = {
  whatsapp: '#25d366',
  messenger: '#0084ff',
  instagram: '#e1306c',
};
