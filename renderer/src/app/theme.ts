import { createTheme, type Theme } from '@mui/material/styles';
import type { Channel } from '@parley/protocol';

/** The one theme. Colours live here and nowhere else; light and dark follow the system. */
export const theme: Theme = createTheme({
  cssVariables: { colorSchemeSelector: 'media' },
  colorSchemes: {
    light: {
      palette: {
        primary: { main: '#3949ab' },
        secondary: { main: '#00897b' },
        background: { default: '#f4f5fa', paper: '#ffffff' },
      },
    },
    dark: {
      palette: {
        primary: { main: '#9fa8da' },
        secondary: { main: '#4db6ac' },
        background: { default: '#12131a', paper: '#1c1d26' },
      },
    },
  },
  shape: { borderRadius: 10 },
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
