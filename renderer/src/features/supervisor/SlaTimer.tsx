import CheckCircleOutlineIcon from '@mui/icons-material/CheckCircleOutlineOutlined';
import ErrorOutlineIcon from '@mui/icons-material/ErrorOutlineOutlined';
import ScheduleIcon from '@mui/icons-material/Schedule';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { duration, useT } from '../../common/i18n/index.js';
import { clock, type SlaState } from './queue.js';

const look = {
  ok: { color: 'success.main', Icon: CheckCircleOutlineIcon },
  near: { color: 'warning.main', Icon: WarningAmberIcon },
  breached: { color: 'error.main', Icon: ErrorOutlineIcon },
  none: { color: 'text.secondary', Icon: ScheduleIcon },
} as const;

/**
 * A ticking timer against its target. The state is told three ways: colour, icon and words
 * (the words show when it needs attention, and always in the label). It ticks every second,
 * so it is never announced: `role="timer"` is not live.
 */
export function SlaTimer({
  elapsedMs,
  state,
  targetSeconds,
  testId,
}: {
  elapsedMs: number;
  state: SlaState;
  targetSeconds: number | undefined;
  testId: string;
}): JSX.Element {
  const { t, lang } = useT();
  const { color, Icon } = look[state];
  const stateWords = t(`supervisor.sla.${state}`);
  const target =
    targetSeconds === undefined || targetSeconds <= 0
      ? null
      : t('supervisor.target', { time: duration(targetSeconds * 1000, lang) });
  const title = target === null ? stateWords : `${stateWords} · ${target}`;
  return (
    <Tooltip title={title}>
      <Box
        role="timer"
        aria-live="off"
        aria-label={`${clock(elapsedMs)}, ${title}`}
        data-testid={testId}
        data-sla={state}
        sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, color, whiteSpace: 'nowrap' }}
      >
        <Icon sx={{ fontSize: 16 }} aria-hidden />
        <Typography
          component="span"
          variant="body2"
          sx={{ fontVariantNumeric: 'tabular-nums', fontWeight: state === 'breached' ? 700 : 500 }}
        >
          {clock(elapsedMs)}
        </Typography>
        {(state === 'near' || state === 'breached') && (
          <Typography component="span" variant="caption" sx={{ fontWeight: 600 }}>
            {stateWords}
          </Typography>
        )}
      </Box>
    </Tooltip>
  );
}
