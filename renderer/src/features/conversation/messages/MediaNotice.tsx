import BrokenImageOutlinedIcon from '@mui/icons-material/BrokenImageOutlined';
import CloudOffOutlinedIcon from '@mui/icons-material/CloudOffOutlined';
import HourglassEmptyIcon from '@mui/icons-material/HourglassEmpty';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { useT, type MessageKey } from '../../../common/i18n/index.js';
import type { MediaFailure } from '../../../platform/media.js';

/** Every state of a file other than "here it is", in words. */
export type MediaNoticeState = 'pending' | 'expired' | 'copy_failed' | 'loading' | MediaFailure;

const words: Record<MediaNoticeState, MessageKey> = {
  pending: 'media.pending',
  expired: 'media.expired',
  copy_failed: 'media.failed',
  loading: 'media.loading',
  not_found: 'media.notFound',
  not_ready: 'media.notReady',
  unreachable: 'media.unreachable',
  failed: 'media.error',
};

export function MediaNotice({
  state,
  onRetry,
}: {
  state: MediaNoticeState;
  onRetry?: (() => void) | undefined;
}): JSX.Element {
  const { t } = useT();
  const icon =
    state === 'loading' || state === 'pending' ? (
      state === 'loading' ? (
        <CircularProgress size={16} />
      ) : (
        <HourglassEmptyIcon fontSize="small" />
      )
    ) : state === 'unreachable' ? (
      <CloudOffOutlinedIcon fontSize="small" />
    ) : (
      <BrokenImageOutlinedIcon fontSize="small" />
    );
  return (
    <Box
      data-testid="media-notice"
      data-state={state}
      role="status"
      sx={{
        display: 'flex',
        alignItems: 'center',
        gap: 1,
        px: 1.25,
        py: 1,
        my: 0.5,
        minWidth: 200,
        borderRadius: 1.5,
        border: 1,
        borderColor: 'divider',
        borderStyle: 'dashed',
        color: 'text.secondary',
      }}
    >
      {icon}
      <Typography variant="body2" sx={{ flex: 1 }}>
        {t(words[state])}
      </Typography>
      {onRetry !== undefined && (
        <Button size="small" onClick={onRetry}>
          {t('media.retry')}
        </Button>
      )}
    </Box>
  );
}
