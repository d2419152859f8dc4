import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormLabel from '@mui/material/FormLabel';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import type { UpdateChannel, UpdateStatus } from '@parley/protocol';
import { useEffect, useId, useState, type JSX } from 'react';
import { describeError } from '../../common/errors.js';
import { shortTime, useT } from '../../common/i18n/index.js';
import { hostFeatures, type HostFeatures } from '../../platform/desktop.js';
import { updateView } from './updateText.js';

const CHANNELS: readonly UpdateChannel[] = ['stable', 'beta'];

/**
 * The settings' "Updates": the version running, where updates stand (up to date, checking,
 * downloading, ready to restart, or a failure said quietly with when it retries) and the
 * release channel. In a browser, a sentence: the page is always the server's own version.
 */
export function UpdatesSection({ host = hostFeatures() }: { host?: HostFeatures }): JSX.Element {
  const { t } = useT();
  const updates = host.updates;
  if (updates === null) {
    return (
      <Stack spacing={2} data-testid="updates-section" data-host="browser">
        <Typography variant="h6" component="h3">
          {t('desktop.updates.title')}
        </Typography>
        <Typography color="text.secondary">{t('desktop.updates.browser')}</Typography>
      </Stack>
    );
  }
  return <DesktopUpdates updates={updates} host={host} />;
}

function DesktopUpdates({
  updates,
  host,
}: {
  updates: NonNullable<HostFeatures['updates']>;
  host: HostFeatures;
}): JSX.Element {
  const { t } = useT();
  const id = useId();
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const stop = host.on('update:status', (next) => setStatus(next));
    void updates.getStatus().then(
      (first) => {
        // An event may have come first: it is newer than this answer.
        if (live) setStatus((current) => current ?? first);
      },
      (error: unknown) => live && setFailure(describeError(error)),
    );
    return () => {
      live = false;
      stop();
    };
  }, [host, updates]);

  const run = (action: () => Promise<unknown>): void => {
    setFailure(null);
    void action().catch((error: unknown) => setFailure(describeError(error)));
  };

  if (status === null) {
    return (
      <Stack spacing={2} data-testid="updates-section" data-host="electron">
        <Typography variant="h6" component="h3">
          {t('desktop.updates.title')}
        </Typography>
        <Typography color="text.secondary">{failure ?? t('desktop.updates.loading')}</Typography>
      </Stack>
    );
  }
  const view = updateView(status, { t, time: (ms) => shortTime(ms) });
  return (
    <Stack spacing={3} data-testid="updates-section" data-host="electron" data-phase={status.phase.kind}>
      <Box>
        <Typography variant="h6" component="h3">
          {t('desktop.updates.title')}
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid="app-version">
          {t('desktop.updates.version', { version: status.version })}
        </Typography>
      </Box>
      <Stack spacing={1.5} role="status" aria-live="polite">
        <Typography color={view.quiet ? 'text.secondary' : 'text.primary'} data-testid="update-state">
          {t(view.text.key, view.text.values)}
        </Typography>
        {view.progress !== null ? (
          <LinearProgress variant="determinate" value={view.progress} aria-label={t('desktop.updates.progress')} />
        ) : null}
      </Stack>
      {view.action === 'restart' ? (
        <Box>
          <Button variant="contained" onClick={() => run(() => updates.install())} data-testid="update-restart">
            {t('desktop.updates.restart')}
          </Button>
        </Box>
      ) : view.action === 'check' ? (
        <Box>
          <Button variant="outlined" onClick={() => run(() => updates.check())} data-testid="update-check">
            {t('desktop.updates.checkNow')}
          </Button>
        </Box>
      ) : null}
      {failure !== null ? (
        <Typography color="error" role="alert">
          {t('desktop.updates.failedAction', { detail: failure })}
        </Typography>
      ) : null}
      <Box>
        <FormLabel id={`${id}-channel`} sx={{ display: 'block', mb: 1 }}>
          {t('desktop.updates.channel')}
        </FormLabel>
        <ToggleButtonGroup
          exclusive
          value={status.channel}
          aria-labelledby={`${id}-channel`}
          aria-describedby={`${id}-channel-help`}
          onChange={(_, channel: UpdateChannel | null) => {
            if (channel === null) return;
            setStatus({ ...status, channel });
            run(() => updates.setChannel(channel));
          }}
          data-testid="update-channel"
        >
          {CHANNELS.map((channel) => (
            <ToggleButton key={channel} value={channel} sx={{ textTransform: 'none', px: 2 }}>
              {t(`desktop.updates.channel.${channel}`)}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        <Typography id={`${id}-channel-help`} variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          {t('desktop.updates.channel.help')}
        </Typography>
      </Box>
    </Stack>
  );
}
