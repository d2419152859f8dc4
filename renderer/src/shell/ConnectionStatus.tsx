import CloudDoneOutlinedIcon from '@mui/icons-material/CloudDoneOutlined';
import CloudOffOutlinedIcon from '@mui/icons-material/CloudOffOutlined';
import SyncIcon from '@mui/icons-material/Sync';
import ErrorOutlineIcon from '@mui/icons-material/ErrorOutlineOutlined';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { failureText } from '../common/i18n/failures.js';
import { useT, shortTime, type Translator } from '../common/i18n/index.js';
import type { ConnectionState } from '../sync/engine.js';

/** The status line: always visible, so an agent knows whether what they see is live. */
export function ConnectionStatus({
  state,
  lastSyncedAt,
}: {
  state: ConnectionState;
  lastSyncedAt: number | undefined;
}): JSX.Element {
  const { t, lang } = useT();
  const synced =
    lastSyncedAt === undefined
      ? t('status.neverSynced')
      : t('status.lastSync', { time: shortTime(lastSyncedAt, undefined, lang) });
  const label = statusLabel(state, t);
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

function catchUpPercent(state: { applied: number; head: number }): number {
  return state.head > 0 ? Math.min(100, Math.round((100 * state.applied) / state.head)) : 0;
}

function statusLabel(state: ConnectionState, t: Translator['t']): string {
  switch (state.kind) {
    case 'online':
      return t('status.online');
    case 'catchingUp':
      return t('status.catchingUpProgress', { percent: catchUpPercent(state) });
    case 'connecting':
      return t('status.connecting');
    case 'reconnecting':
      return t('status.reconnecting');
    case 'error':
      return t('status.error');
    case 'offline':
      return t('status.offlineShort');
  }
}

/** The banner under the app bar when what is shown is not live. */
export function ConnectionBanner({ state }: { state: ConnectionState }): JSX.Element | null {
  const { t, lang } = useT();
  if (state.kind === 'offline' || state.kind === 'reconnecting') {
    return (
      <Alert severity="warning" icon={<CloudOffOutlinedIcon />} square data-testid="offline-banner" role="status">
        {t('status.offline')}
      </Alert>
    );
  }
  if (state.kind === 'error') {
    return (
      <Alert severity="error" square data-testid="error-banner" role="alert">
        {failureText(state, lang)}
      </Alert>
    );
  }
  if (state.kind === 'catchingUp') {
    return (
      <LinearProgress
        variant="determinate"
        value={catchUpPercent(state)}
        aria-label={t('status.catchingUp')}
        data-testid="catch-up-progress"
      />
    );
  }
  return null;
}
