import Box from '@mui/material/Box';
import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import CloseIcon from '@mui/icons-material/Close';
import Typography from '@mui/material/Typography';
import { Fragment, type JSX } from 'react';
import { COMMAND_GROUPS, shortcutsOf, type Command } from '../../common/commands.js';
import { useT } from '../../common/i18n/index.js';
import { GROUP_TITLES } from './CommandPalette.js';
import { ShortcutKeys } from './ShortcutKeys.js';

/** `?`: every shortcut, grouped as in the palette. */
export function ShortcutHelp({
  open,
  onClose,
  commands,
}: {
  open: boolean;
  onClose: () => void;
  commands: readonly Command[];
}): JSX.Element {
  const { t } = useT();
  const withKeys = commands.filter((command) => command.shortcut !== undefined);
  return (
    <Dialog
      open={open}
      onClose={onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="shortcut-help-title"
      data-testid="shortcut-help"
    >
      <DialogTitle id="shortcut-help-title" sx={{ pr: 6 }}>
        {t('palette.help.title')}
        <IconButton onClick={onClose} aria-label={t('common.close')} sx={{ position: 'absolute', right: 8, top: 8 }}>
          <CloseIcon />
        </IconButton>
      </DialogTitle>
      <DialogContent
        sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, columnGap: 4, rowGap: 2 }}
      >
        {COMMAND_GROUPS.map((group) => {
          const entries = withKeys.filter((command) => command.group === group);
          if (entries.length === 0) return null;
          // Commands with the same keys (a view per team) are shown once, by their first title.
          const seen = new Set<string>();
          return (
            <Box key={group} component="section" aria-labelledby={`shortcut-group-${group}`}>
              <Typography
                id={`shortcut-group-${group}`}
                variant="subtitle2"
                component="h3"
                sx={{ mb: 0.5 }}
                color="primary"
              >
                {t(GROUP_TITLES[group])}
              </Typography>
              <Box
                component="dl"
                sx={{ m: 0, display: 'grid', gridTemplateColumns: '1fr auto', rowGap: 0.75, columnGap: 2 }}
              >
                {entries.map((command) => {
                  const shortcuts = shortcutsOf(command);
                  const key = shortcuts.join('|');
                  if (seen.has(key)) return null;
                  seen.add(key);
                  return (
                    <Fragment key={command.id}>
                      <Typography component="dt" variant="body2">
                        {command.title}
                      </Typography>
                      <Box
                        component="dd"
                        sx={{ m: 0, display: 'flex', gap: 1, justifyContent: 'flex-end' }}
                        aria-label={shortcuts.join(', ')}
                      >
                        {shortcuts.map((shortcut) => (
                          <ShortcutKeys key={shortcut} shortcut={shortcut} size="tiny" />
                        ))}
                      </Box>
                    </Fragment>
                  );
                })}
              </Box>
            </Box>
          );
        })}
      </DialogContent>
    </Dialog>
  );
}
