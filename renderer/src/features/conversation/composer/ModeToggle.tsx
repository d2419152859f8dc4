import LockOutlinedIcon from '@mui/icons-material/LockOutlined';
import ReplyIcon from '@mui/icons-material/Reply';
import StickyNote2OutlinedIcon from '@mui/icons-material/StickyNote2Outlined';
import Box from '@mui/material/Box';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';
import type { ComposerMode } from './Composer.js';
import { noteShortcutLabel } from './composerText.js';

/** Reply to the customer, or write a private note only the team sees. */
export function ModeToggle({
  mode,
  onChange,
}: {
  mode: ComposerMode;
  onChange: (mode: ComposerMode) => void;
}): JSX.Element {
  const { t } = useT();
  const shortcut = noteShortcutLabel();
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, px: 2, pt: 1, flexWrap: 'wrap' }}>
      <ToggleButtonGroup
        exclusive
        size="small"
        value={mode}
        onChange={(_event, value: ComposerMode | null) => {
          if (value !== null) onChange(value);
        }}
        aria-label={t('composer.modeLabel')}
        data-testid="composer-mode"
      >
        <Tooltip title={t('composer.modeReplyTip', { shortcut })}>
          <ToggleButton value="reply" data-testid="mode-reply" sx={{ gap: 0.5, py: 0.25, textTransform: 'none' }}>
            <ReplyIcon fontSize="small" />
            {t('composer.modeReply')}
          </ToggleButton>
        </Tooltip>
        <Tooltip title={t('composer.modeNoteTip', { shortcut })}>
          <ToggleButton
            value="note"
            data-testid="mode-note"
            sx={{
              gap: 0.5,
              py: 0.25,
              textTransform: 'none',
              '&.Mui-selected, &.Mui-selected:hover': { bgcolor: 'warning.main', color: 'warning.contrastText' },
            }}
          >
            <StickyNote2OutlinedIcon fontSize="small" />
            {t('composer.modeNote')}
          </ToggleButton>
        </Tooltip>
      </ToggleButtonGroup>
      {mode === 'note' && (
        <Typography
          variant="caption"
          sx={{ display: 'flex', alignItems: 'center', gap: 0.5, fontWeight: 600, color: 'text.primary' }}
          data-testid="note-hint"
        >
          <LockOutlinedIcon sx={{ fontSize: 16 }} />
          {t('composer.noteHint')}
        </Typography>
      )}
    </Box>
  );
}
