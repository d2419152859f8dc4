import CloseIcon from '@mui/icons-material/Close';
import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormLabel from '@mui/material/FormLabel';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { Suspense, useId, useState, type JSX, type ReactNode } from 'react';
import { useT, type MessageKey } from '../../common/i18n/index.js';
import { updateSettings, useSettings, type Settings } from './store.js';
import { DESKTOP_SETTINGS_SECTIONS, DesktopSettings, type DesktopSettingsSection } from '../desktop/index.js';
import { ShellSettings } from './ShellSettings.js';

type Section = 'general' | 'notifications' | 'signature' | 'cannedResponses' | DesktopSettingsSection;

const THEMES: readonly Settings['theme'][] = ['system', 'light', 'dark'];
const LANGUAGES: readonly Settings['language'][] = ['system', 'en', 'fr'];
const NOTIFICATIONS: readonly { key: Exclude<keyof Settings['notifications'], 'doNotDisturb'>; label: MessageKey }[] = [
  { key: 'myMessages', label: 'settings.notifications.myMessages' },
  { key: 'teamQueue', label: 'settings.notifications.teamQueue' },
  { key: 'mentions', label: 'settings.notifications.mentions' },
  { key: 'assignments', label: 'settings.notifications.assignments' },
  { key: 'sound', label: 'settings.notifications.sound' },
];

/**
 * The agent's settings on this device: each change applies at once (the theme and the
 * language switch without a reload) and is kept for the next start.
 *
 * `cannedResponses` is the slot for the canned responses manager, shown as its own section
 * when the frame gives one.
 */
export function SettingsDialog({
  open,
  onClose,
  cannedResponses,
}: {
  open: boolean;
  onClose: () => void;
  cannedResponses?: ReactNode;
}): JSX.Element {
  const { t } = useT();
  const [section, setSection] = useState<Section>('general');
  const id = useId();
  const sections: Section[] = [
    'general',
    'notifications',
    'signature',
    ...(cannedResponses === undefined ? [] : ['cannedResponses' as const]),
    ...DESKTOP_SETTINGS_SECTIONS,
  ];
  return (
    <Dialog
      open={open}
      onClose={onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby={`${id}-title`}
      data-testid="settings-dialog"
    >
      <DialogTitle id={`${id}-title`} sx={{ pr: 6 }}>
        {t('settings.title')}
        <IconButton onClick={onClose} aria-label={t('common.close')} sx={{ position: 'absolute', right: 8, top: 8 }}>
          <CloseIcon />
        </IconButton>
      </DialogTitle>
      <DialogContent sx={{ display: 'flex', gap: 3, minHeight: 420, px: 0 }}>
        <Tabs
          orientation="vertical"
          value={section}
          onChange={(_, next: Section) => setSection(next)}
          aria-label={t('settings.sections')}
          sx={{ borderRight: 1, borderColor: 'divider', minWidth: 190 }}
        >
          {sections.map((value) => (
            <Tab
              key={value}
              value={value}
              label={t(`settings.section.${value}` as 'settings.section.general')}
              id={`${id}-tab-${value}`}
              aria-controls={`${id}-panel-${value}`}
              sx={{ alignItems: 'flex-start', textTransform: 'none' }}
            />
          ))}
        </Tabs>
        <Box
          role="tabpanel"
          id={`${id}-panel-${section}`}
          aria-labelledby={`${id}-tab-${section}`}
          sx={{ flex: 1, pr: 3, minWidth: 0 }}
        >
          {/* A section whose code is still loading waits here, not by hiding the dialog. */}
          <Suspense
            fallback={
              <Box sx={{ display: 'grid', placeItems: 'center', p: 4 }}>
                <CircularProgress size={24} aria-label={t('settings.loading')} />
              </Box>
            }
          >
            {section === 'general' ? <General /> : null}
            {section === 'notifications' ? <Notifications /> : null}
            {section === 'signature' ? <Signature /> : null}
            {section === 'cannedResponses' ? cannedResponses : null}
            <DesktopSettings section={section} />
          </Suspense>
        </Box>
      </DialogContent>
    </Dialog>
  );
}

function General(): JSX.Element {
  const { t } = useT();
  const settings = useSettings();
  const id = useId();
  return (
    <Stack spacing={3}>
      <Box>
        <FormLabel id={`${id}-theme`} sx={{ display: 'block', mb: 1 }}>
          {t('settings.theme')}
        </FormLabel>
        <ToggleButtonGroup
          exclusive
          value={settings.theme}
          onChange={(_, theme: Settings['theme'] | null) => {
            if (theme !== null) updateSettings((previous) => ({ ...previous, theme }));
          }}
          aria-labelledby={`${id}-theme`}
          data-testid="settings-theme"
        >
          {THEMES.map((theme) => (
            <ToggleButton key={theme} value={theme} sx={{ textTransform: 'none', px: 2 }}>
              {t(`settings.theme.${theme}` as 'settings.theme.system')}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </Box>
      <Box>
        <FormLabel id={`${id}-language`} sx={{ display: 'block', mb: 1 }}>
          {t('settings.language')}
        </FormLabel>
        <ToggleButtonGroup
          exclusive
          value={settings.language}
          onChange={(_, language: Settings['language'] | null) => {
            if (language !== null) updateSettings((previous) => ({ ...previous, language }));
          }}
          aria-labelledby={`${id}-language`}
          data-testid="settings-language"
        >
          {LANGUAGES.map((language) => (
            <ToggleButton
              key={language}
              value={language}
              sx={{ textTransform: 'none', px: 2 }}
              lang={language === 'system' ? undefined : language}
            >
              {t(`settings.language.${language}` as 'settings.language.system')}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </Box>
    </Stack>
  );
}

function Notifications(): JSX.Element {
  const { t } = useT();
  const { notifications } = useSettings();
  const quiet = notifications.doNotDisturb;
  const set = (change: (previous: Settings['notifications']) => Settings['notifications']): void =>
    updateSettings((previous) => ({ ...previous, notifications: change(previous.notifications) }));
  const setQuiet = (change: Partial<Settings['notifications']['doNotDisturb']>): void =>
    set((previous) => ({ ...previous, doNotDisturb: { ...previous.doNotDisturb, ...change } }));
  return (
    <Stack spacing={3}>
      <FormGroup>
        <FormLabel component="legend" sx={{ mb: 1 }}>
          {t('settings.notifications.title')}
        </FormLabel>
        {NOTIFICATIONS.map(({ key, label }) => (
          <FormControlLabel
            key={key}
            control={
              <Switch
                checked={notifications[key]}
                onChange={(event) => set((previous) => ({ ...previous, [key]: event.target.checked }))}
              />
            }
            label={t(label)}
          />
        ))}
      </FormGroup>
      <Box>
        <FormControlLabel
          control={<Switch checked={quiet.enabled} onChange={(event) => setQuiet({ enabled: event.target.checked })} />}
          label={t('settings.quiet.enabled')}
        />
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }}>
          {t('settings.quiet.explain')}
        </Typography>
        <Stack direction="row" spacing={2}>
          <TextField
            type="time"
            size="small"
            label={t('settings.quiet.from')}
            value={quiet.from}
            disabled={!quiet.enabled}
            onChange={(event) => {
              if (/^\d{2}:\d{2}$/.test(event.target.value)) setQuiet({ from: event.target.value });
            }}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <TextField
            type="time"
            size="small"
            label={t('settings.quiet.to')}
            value={quiet.to}
            disabled={!quiet.enabled}
            onChange={(event) => {
              if (/^\d{2}:\d{2}$/.test(event.target.value)) setQuiet({ to: event.target.value });
            }}
            slotProps={{ inputLabel: { shrink: true } }}
          />
        </Stack>
      </Box>
      <ShellSettings />
    </Stack>
  );
}

function Signature(): JSX.Element {
  const { t } = useT();
  const settings = useSettings();
  return (
    <Stack spacing={2}>
      <TextField
        multiline
        minRows={3}
        label={t('settings.signature')}
        helperText={t('settings.signature.help', { count: 500 - settings.signature.length })}
        value={settings.signature}
        onChange={(event) => {
          const signature = event.target.value.slice(0, 500);
          updateSettings((previous) => ({ ...previous, signature }));
        }}
        slotProps={{ htmlInput: { maxLength: 500, 'data-testid': 'settings-signature' } }}
      />
      <FormControlLabel
        control={
          <Switch
            checked={settings.useSignature}
            onChange={(event) => updateSettings((previous) => ({ ...previous, useSignature: event.target.checked }))}
          />
        }
        label={t('settings.signature.use')}
      />
    </Stack>
  );
}
