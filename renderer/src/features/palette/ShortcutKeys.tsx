import Box from '@mui/material/Box';
import { Fragment, type JSX } from 'react';
import { isMac, shortcutKeys } from '../../common/commands.js';
import { useT, type MessageKey } from '../../common/i18n/index.js';

const NAMED: Record<string, MessageKey> = {
  enter: 'palette.key.enter',
  escape: 'palette.key.escape',
  ' ': 'palette.key.space',
};

/** A shortcut as keys: Ctrl K, or G then I. Hidden from screen readers, which read `aria-keyshortcuts`. */
export function ShortcutKeys({ shortcut, size = 'small' }: { shortcut: string; size?: 'small' | 'tiny' }): JSX.Element {
  const { t } = useT();
  const mac = isMac();
  const chords = shortcutKeys(shortcut, mac, (key) => {
    const name = NAMED[key];
    return name === undefined ? null : t(name);
  });
  return (
    <Box
      component="span"
      aria-hidden
      sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, whiteSpace: 'nowrap' }}
    >
      {chords.map((keys, index) => (
        <Fragment key={index}>
          {index > 0 ? (
            <Box component="span" sx={{ fontSize: 11, color: 'inherit', opacity: 0.85 }}>
              {t('palette.key.then')}
            </Box>
          ) : null}
          {keys.map((key) => (
            <Box
              key={key}
              component="kbd"
              sx={{
                fontFamily: 'inherit',
                fontSize: size === 'tiny' ? 11 : 12,
                lineHeight: 1.4,
                minWidth: 20,
                px: 0.6,
                textAlign: 'center',
                borderRadius: '4px',
                border: 1,
                borderColor: 'currentColor',
                opacity: 0.9,
              }}
            >
              {key}
            </Box>
          ))}
        </Fragment>
      ))}
    </Box>
  );
}

/** The value of `aria-keyshortcuts` for a shortcut: "Control+K", "G I". */
export function ariaKeyShortcuts(shortcut: string): string {
  const mac = isMac();
  return shortcutKeys(shortcut, mac, (key) => (key === 'escape' ? 'Escape' : key === 'enter' ? 'Enter' : null))
    .map((keys) => keys.map((key) => (key === 'Ctrl' ? 'Control' : key === '⌘' ? 'Meta' : key)).join('+'))
    .join(' ');
}
