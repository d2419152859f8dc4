import AccessTimeIcon from '@mui/icons-material/AccessTime';
import DoneIcon from '@mui/icons-material/Done';
import DoneAllIcon from '@mui/icons-material/DoneAll';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import Box from '@mui/material/Box';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';
import type { StatusTick } from '../../../domain/messageView.js';

/**
 * The tick of an outgoing message: a clock and 'Queued' while it waits offline, a clock
 * while sending, ✓, ✓✓, ✓✓ in colour once read, ⚠ when it failed.
 */
export function MessageStatus({ tick }: { tick: StatusTick }): JSX.Element | null {
  const { t } = useT();
  if (tick === 'none') return null;
  const label = t(`message.status.${tick}`);
  const common = {
    fontSize: 'inherit',
    titleAccess: label,
    'data-testid': 'message-status',
    'data-status': tick,
  } as const;
  switch (tick) {
    case 'queued':
      return (
        <Box
          component="span"
          data-testid="message-status"
          data-status="queued"
          sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.25 }}
        >
          <AccessTimeIcon fontSize="inherit" titleAccess={label} sx={{ fontSize: 15, opacity: 0.7 }} />
          {label}
        </Box>
      );
    case 'pending':
      return <AccessTimeIcon {...common} sx={{ fontSize: 15, opacity: 0.7 }} />;
    case 'sent':
      return <DoneIcon {...common} sx={{ fontSize: 16, opacity: 0.7 }} />;
    case 'delivered':
      return <DoneAllIcon {...common} sx={{ fontSize: 16, opacity: 0.7 }} />;
    case 'read':
      return <DoneAllIcon {...common} sx={{ fontSize: 16, color: 'thread.readTick' }} />;
    case 'failed':
      return <WarningAmberIcon {...common} color="error" sx={{ fontSize: 16 }} />;
  }
}
