import ContactPanelIcon from '@mui/icons-material/VerticalSplitOutlined';
import SearchIcon from '@mui/icons-material/Search';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import type { Agent, Presence, Result } from '@parley/protocol';
import { memo, type JSX } from 'react';
import { useT } from '../common/i18n/index.js';
import { ShortcutKeys } from '../features/palette/index.js';
import type { ConnectionState } from '../sync/engine.js';
import { AccountMenu } from './AccountMenu.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { PresenceSwitch } from './PresenceSwitch.js';

/**
 * The right of the app bar: the connection, the presence switch, the palette, the contact
 * panel's toggle and the account menu. Memoized, with steady callbacks, so that opening a
 * conversation (which renders the inbox again) does not render the bar, its tooltips and
 * its menus with it.
 */
export const ShellBarActions = memo(function ShellBarActions({
  state,
  lastSyncedAt,
  agent,
  presence,
  onPresence,
  onPresenceRefused,
  onPalette,
  contactToggle,
  onToggleContact,
  onSettings,
  onShortcuts,
  onSignOut,
}: {
  state: ConnectionState;
  lastSyncedAt: number | undefined;
  agent: Agent;
  presence: Presence;
  onPresence: (presence: 'online' | 'away') => Promise<Result>;
  onPresenceRefused: (text: string) => void;
  onPalette: () => void;
  /** Whether the contact panel is open; null on the screens that have none. */
  contactToggle: boolean | null;
  onToggleContact: () => void;
  onSettings: () => void;
  onShortcuts: () => void;
  onSignOut: () => void;
}): JSX.Element {
  const { t } = useT();
  return (
    <>
      <ConnectionStatus state={state} lastSyncedAt={lastSyncedAt} />
      <PresenceSwitch presence={presence} onChange={onPresence} onRefused={onPresenceRefused} />
      <Tooltip
        title={
          <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 1 }}>
            {t('palette.open')}
            <ShortcutKeys shortcut="mod+k" size="tiny" />
          </Box>
        }
      >
        <IconButton
          color="inherit"
          onClick={onPalette}
          aria-label={t('palette.open')}
          aria-keyshortcuts="Control+K Meta+K"
          data-testid="palette-button"
        >
          <SearchIcon />
        </IconButton>
      </Tooltip>
      {contactToggle !== null ? (
        <Tooltip title={contactToggle ? t('menu.hideContact') : t('menu.showContact')}>
          <IconButton
            color="inherit"
            onClick={onToggleContact}
            aria-label={t('menu.contactPanel')}
            aria-pressed={contactToggle}
            data-testid="contact-panel-toggle"
          >
            <ContactPanelIcon />
          </IconButton>
        </Tooltip>
      ) : null}
      <AccountMenu agent={agent} onSettings={onSettings} onShortcuts={onShortcuts} onSignOut={onSignOut} />
    </>
  );
});
