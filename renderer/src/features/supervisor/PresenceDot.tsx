import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { Presence } from '@parley/protocol';
import type { JSX } from 'react';
import { useT } from '../../common/i18n/index.js';

export const presenceColor: Record<Presence, string> = {
  online: 'success.main',
  away: 'warning.main',
  offline: 'grey.500',
};

/** A dot and the word: the colour is never the only sign. */
export function PresenceDot({ presence, showWord = true }: { presence: Presence; showWord?: boolean }): JSX.Element {
  const { t } = useT();
  return (
    <Box
      component="span"
      sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.75 }}
      data-testid="presence"
      data-presence={presence}
    >
      <Box
        component="span"
        aria-hidden
        sx={{
          width: 9,
          height: 9,
          borderRadius: '50%',
          bgcolor: presenceColor[presence],
          flexShrink: 0,
        }}
      />
      {showWord && (
        <Typography component="span" variant="caption" color="text.secondary">
          {t(`presence.${presence}`)}
        </Typography>
      )}
    </Box>
  );
}
