import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import type { Presence, Result } from '@parley/protocol';
import { useState, type JSX } from 'react';
import { failureText } from '../common/i18n/failures.js';
import { useT } from '../common/i18n/index.js';
import { PresenceDot } from '../features/supervisor/index.js';

/**
 * Online or Away, set by hand; what shows is what the server last said (the agent's row
 * in the cache), so Offline shows while the connection is down.
 */
export function PresenceSwitch({
  presence,
  onChange,
  onRefused,
}: {
  presence: Presence;
  onChange: (presence: 'online' | 'away') => Promise<Result>;
  onRefused: (text: string) => void;
}): JSX.Element {
  const { t, lang } = useT();
  const [pending, setPending] = useState<'online' | 'away' | null>(null);
  const shown: Presence = pending ?? presence;
  return (
    <Select
      size="small"
      variant="standard"
      disableUnderline
      value={shown}
      onChange={(event) => {
        const next = event.target.value;
        if (next !== 'online' && next !== 'away') return;
        setPending(next);
        void onChange(next).then((result) => {
          setPending(null);
          if (!result.ok) onRefused(t('presence.failed', { reason: failureText(result, lang) }));
        });
      }}
      renderValue={(value) => <PresenceDot presence={value} />}
      inputProps={{ 'aria-label': t('presence.label'), 'data-testid': 'presence-switch' }}
      data-presence={shown}
      data-testid="presence-select"
      sx={{
        color: 'inherit',
        px: 1,
        borderRadius: 1,
        bgcolor: 'rgba(255,255,255,0.12)',
        '& .MuiTypography-root': { color: 'inherit' },
        '& .MuiSvgIcon-root': { color: 'inherit' },
      }}
    >
      <MenuItem value="online">
        <PresenceDot presence="online" />
      </MenuItem>
      <MenuItem value="away">
        <PresenceDot presence="away" />
      </MenuItem>
      {presence === 'offline' && (
        <MenuItem value="offline" disabled>
          <PresenceDot presence="offline" />
        </MenuItem>
      )}
    </Select>
  );
}
