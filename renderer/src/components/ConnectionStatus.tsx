import CloudDoneOutlinedIcon from '@mui/icons-material/CloudDoneOutlined';
import CloudOffOutlinedIcon from '@mui/icons-material/CloudOffOutlined';
import SyncIcon from '@mui/icons-material/Sync';
import ErrorOutlineIcon from '@mui/icons-material/ErrorOutlineOutlined';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { shortTime, t } from '../app/i18n.js';
import type { ConnectionState } from '../sync/engine.js';

/** The status line: always visible, so an agent knows whether what they see is live. */
export function ConnectionStatus({
  state,
  lastSyncedAt,
}: {
  state: ConnectionState;
  lastSyncedAt: number | undefined;
}): JSX.Element {
  const synced =
    lastSyncedAt === undefined ? t('status.neverSynced') : t('status.lastSync', { time: shortTime(lastSyncedAt) });
  const label =
    state.kind === 'online'
      ? t('status.online')
      : state.kind === 'catchingUp'
        ? t('status.catchingUp')
        : state.kind === 'connecting'
          ? t('status.connecting')
          : state.kind === 'error'
            ? t('status.error')
            : t('status.offlineShort');
  const Icon =
    state.kind === 'online'
      ? CloudDoneOutlinedIcon
      : state.kind === 'offline'
        ? CloudOffOutlinedIcon
        : state.kind === 'error'
          ? ErrorOutlineIcon
          : SyncIcon;
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }} data-testid="connection-status" data-state={state.kind}>
      <Icon fontSize="small" />
      <Typography variant="body2" sx={{ fontWeight: 600 }}>
        {label}
      </Typography>
      <Typography variant="caption" sx={{ opacity: 0.8, display: { xs: 'none', sm: 'block' } }}>
        {synced}
      </Typography>
    </Box>
  );
}

/** The banner under the app bar when what is shown is not live. */
export function ConnectionBanner({ state }: { state: ConnectionState }): JSX.Element | null {
  if (state.kind === 'offline') {
    return (
      <Alert severity="warning" icon={<CloudOffOutlinedIcon />} square data-testid="offline-banner" role="status">
        {t('status.offline')}
      </Alert>
    );
  }
  if (state.kind === 'error') {
    return (
      <Alert severity="error" square data-testid="error-banner" role="alert">
        {state.message}
      </Alert>
    );
  }
  if (state.kind === 'catchingUp') {
    const progress = state.head > 0 ? Math.min(100, (100 * state.applied) / state.head) : 0;
    return <LinearProgress variant="determinate" value={progress} aria-label={t('status.catchingUp')} />;
  }
  return null;
}
