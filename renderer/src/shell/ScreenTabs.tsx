import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import type { AgentRole } from '@parley/protocol';
import type { JSX } from 'react';
import { useT } from '../common/i18n/index.js';

export type Screen = 'inbox' | 'supervisor' | 'admin';

/** Which screens a role has: everyone the inbox, supervisors and admins the supervisor's view, admins the admin screen. */
export function screensFor(role: AgentRole): Screen[] {
  if (role === 'admin') return ['inbox', 'supervisor', 'admin'];
  if (role === 'supervisor') return ['inbox', 'supervisor'];
  return ['inbox'];
}

export function ScreenTabs({
  role,
  screen,
  onChange,
}: {
  role: AgentRole;
  screen: Screen;
  onChange: (screen: Screen) => void;
}): JSX.Element | null {
  const { t } = useT();
  const screens = screensFor(role);
  if (screens.length < 2) return null;
  return (
    <Tabs
      value={screens.includes(screen) ? screen : 'inbox'}
      onChange={(_, next: Screen) => onChange(next)}
      aria-label={t('nav.label')}
      textColor="inherit"
      indicatorColor="secondary"
      sx={{
        minHeight: 48, // Unselected tabs stay fully opaque: MUI's dimmed ones fall below 4.5:1 on the app bar.
        '& .MuiTab-root': { minHeight: 48, textTransform: 'none', fontWeight: 600, opacity: 1 },
      }}
    >
      {screens.map((option) => (
        <Tab key={option} value={option} label={t(`nav.${option}`)} data-testid={`nav-${option}`} />
      ))}
    </Tabs>
  );
}
