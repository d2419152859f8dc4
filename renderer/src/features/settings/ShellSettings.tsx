import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormLabel from '@mui/material/FormLabel';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import type { NotificationTestOutcome } from '@parley/protocol';
import { useId, useState, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import { connectedDesktop, type Desktop } from '../../platform/desktop.js';
import { testNotificationAdvice } from './testNotification.js';
import { updateSettings, useSettings, type Settings } from './store.js';

const IDLE_CHOICES: readonly number[] = [0, 1, 2, 5, 10, 15, 30, 60];

/**
 * This computer's part of the notifications: a test notification that says, when nothing
 * shows, what the system (or the browser) is blocking; and in the desktop app, whether
 * closing the window keeps Parley in the tray (not on macOS, which keeps its dock) and
 * after how long without input the agent shows as away.
 */
export function ShellSettings({ desktop = connectedDesktop() }: { desktop?: Desktop | null }): JSX.Element {
  const { t, tn } = useT();
  const settings = useSettings();
  const id = useId();
  const [testing, setTesting] = useState(false);
  const [outcome, setOutcome] = useState<NotificationTestOutcome | null>(null);
  const platform = desktop?.platform ?? 'web';
  const native = desktop?.kind === 'electron';
  const set = (change: Partial<Settings['desktop']>): void =>
    updateSettings((previous) => ({ ...previous, desktop: { ...previous.desktop, ...change } }));

  const test = (): void => {
    if (desktop === null) return;
    setTesting(true);
    setOutcome(null);
    void desktop
      .testNotification({ title: t('settings.desktop.test.title'), body: t('settings.desktop.test.body') })
      .catch((): NotificationTestOutcome => 'failed')
      .then((result) => {
        setOutcome(result);
        setTesting(false);
      });
  };

  return (
    <Stack spacing={2} component="section" aria-labelledby={`${id}-title`} data-testid="desktop-settings">
      <FormLabel id={`${id}-title`} component="h3" sx={{ typography: 'subtitle2' }}>
        {t('settings.desktop.title')}
      </FormLabel>
      <Box>
        <Button
          variant="outlined"
          onClick={test}
          disabled={testing || desktop === null}
          data-testid="test-notification"
        >
          {testing ? t('settings.desktop.testing') : t('settings.desktop.test')}
        </Button>
        <Box role="status" aria-live="polite" sx={{ mt: outcome === null ? 0 : 1.5 }}>
          {outcome !== null && (
            <Alert
              severity={outcome === 'shown' ? 'success' : 'warning'}
              data-testid="test-notification-result"
              data-outcome={outcome}
            >
              {t(testNotificationAdvice(outcome, platform))}
            </Alert>
          )}
        </Box>
      </Box>
      {native && platform !== 'darwin' && (
        <FormControlLabel
          control={
            <Switch
              checked={settings.desktop.closeToTray}
              onChange={(event) => set({ closeToTray: event.target.checked })}
            />
          }
          label={t('settings.desktop.closeToTray')}
        />
      )}
      {native && (
        <TextField
          select
          size="small"
          label={t('settings.desktop.idle')}
          value={settings.desktop.idleMinutes}
          onChange={(event) => set({ idleMinutes: Number(event.target.value) })}
          helperText={t('settings.desktop.idle.help')}
          sx={{ maxWidth: 360 }}
          slotProps={{ htmlInput: { 'data-testid': 'idle-minutes' } }}
        >
          {IDLE_CHOICES.map((minutes) => (
            <MenuItem key={minutes} value={minutes}>
              {minutes === 0 ? t('settings.desktop.idle.never') : tn('settings.desktop.idle.minutes', minutes)}
            </MenuItem>
          ))}
        </TextField>
      )}
    </Stack>
  );
}
