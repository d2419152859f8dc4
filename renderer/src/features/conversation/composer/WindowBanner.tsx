import HistoryEduOutlinedIcon from '@mui/icons-material/HistoryEduOutlined';
import LockOutlinedIcon from '@mui/icons-material/LockOutlined';
import ScheduleIcon from '@mui/icons-material/Schedule';
import SupportAgentIcon from '@mui/icons-material/SupportAgent';
import Alert from '@mui/material/Alert';
import type { JSX } from 'react';
import type { ComposerMode, WindowBanner as Banner } from '../../../domain/window.js';

const icons = {
  free: ScheduleIcon,
  template: HistoryEduOutlinedIcon,
  human_agent: SupportAgentIcon,
  read_only: LockOutlinedIcon,
} as const;

/** What the messaging window allows now, above the composer. */
export function WindowBanner({ mode, banner }: { mode: ComposerMode['kind']; banner: Banner }): JSX.Element {
  const Icon = icons[mode];
  return (
    <Alert
      severity={banner.severity}
      icon={<Icon fontSize="inherit" />}
      data-testid="window-banner"
      data-state={mode}
      data-severity={banner.severity}
      role="status"
      sx={{ borderRadius: 0, py: 0, alignItems: 'center', '& .MuiAlert-message': { py: 0.75 } }}
    >
      {banner.text}
    </Alert>
  );
}
