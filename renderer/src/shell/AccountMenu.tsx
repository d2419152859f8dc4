import KeyboardIcon from '@mui/icons-material/KeyboardOutlined';
import LogoutIcon from '@mui/icons-material/Logout';
import SettingsIcon from '@mui/icons-material/SettingsOutlined';
import Avatar from '@mui/material/Avatar';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { Agent } from '@parley/protocol';
import { useId, useState, type JSX } from 'react';
import { useT } from '../common/i18n/index.js';
import { ShortcutKeys } from '../features/palette/index.js';

/** The agent's avatar, opening their menu: settings, the keyboard shortcuts, signing out. */
export function AccountMenu({
  agent,
  onSettings,
  onShortcuts,
  onSignOut,
}: {
  agent: Agent;
  onSettings: () => void;
  onShortcuts: () => void;
  onSignOut: () => void;
}): JSX.Element {
  const { t } = useT();
  const id = useId();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const then = (action: () => void) => (): void => {
    setAnchor(null);
    action();
  };
  return (
    <>
      <Tooltip title={`${agent.name} · ${t(`role.${agent.role}`)}`}>
        <IconButton
          onClick={(event) => setAnchor(event.currentTarget)}
          aria-label={t('menu.account')}
          aria-haspopup="menu"
          aria-expanded={anchor !== null}
          aria-controls={anchor === null ? undefined : `${id}-menu`}
          sx={{ p: 0.25 }}
          data-testid="account-button"
        >
          <Avatar sx={{ width: 30, height: 30, fontSize: 14, bgcolor: 'secondary.main' }} data-testid="agent-avatar">
            {agent.name.slice(0, 1)}
          </Avatar>
        </IconButton>
      </Tooltip>
      <Menu
        id={`${id}-menu`}
        anchorEl={anchor}
        open={anchor !== null}
        onClose={() => setAnchor(null)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}
        transformOrigin={{ vertical: 'top', horizontal: 'right' }}
      >
        <Typography variant="body2" color="text.secondary" sx={{ px: 2, pt: 0.5, pb: 1 }} role="presentation">
          {agent.name} · {t(`role.${agent.role}`)}
        </Typography>
        <MenuItem onClick={then(onSettings)} data-testid="menu-settings">
          <ListItemIcon>
            <SettingsIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>{t('menu.settings')}</ListItemText>
          <ShortcutKeys shortcut="mod+," size="tiny" />
        </MenuItem>
        <MenuItem onClick={then(onShortcuts)}>
          <ListItemIcon>
            <KeyboardIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>{t('menu.shortcuts')}</ListItemText>
          <ShortcutKeys shortcut="?" size="tiny" />
        </MenuItem>
        <Divider />
        <MenuItem onClick={then(onSignOut)}>
          <ListItemIcon>
            <LogoutIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>{t('menu.signOut')}</ListItemText>
        </MenuItem>
      </Menu>
    </>
  );
}
