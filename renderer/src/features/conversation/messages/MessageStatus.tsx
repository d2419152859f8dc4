import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';
import type { StatusTick } from '../../../domain/messageView.js';

/** Material's icons for each tick, drawn inline: every outgoing bubble has one. */
const PATHS: Record<Exclude<StatusTick, 'none'>, readonly string[]> = {
  queued: [
    'M11.99 2C6.47 2 2 6.48 2 12s4.47 10 9.99 10C17.52 22 22 17.52 22 12S17.52 2 11.99 2M12 20c-4.42 0-8-3.58-8-8s3.58-8 8-8 8 3.58 8 8-3.58 8-8 8',
    'M12.5 7H11v6l5.25 3.15.75-1.23-4.5-2.67z',
  ],
  pending: [
    'M11.99 2C6.47 2 2 6.48 2 12s4.47 10 9.99 10C17.52 22 22 17.52 22 12S17.52 2 11.99 2M12 20c-4.42 0-8-3.58-8-8s3.58-8 8-8 8 3.58 8 8-3.58 8-8 8',
    'M12.5 7H11v6l5.25 3.15.75-1.23-4.5-2.67z',
  ],
  sent: ['M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z'],
  delivered: [
    'm18 7-1.41-1.41-6.34 6.34 1.41 1.41zm4.24-1.41L11.66 16.17 7.48 12l-1.41 1.41L11.66 19l12-12zM.41 13.41 6 19l1.41-1.41L1.83 12z',
  ],
  read: [
    'm18 7-1.41-1.41-6.34 6.34 1.41 1.41zm4.24-1.41L11.66 16.17 7.48 12l-1.41 1.41L11.66 19l12-12zM.41 13.41 6 19l1.41-1.41L1.83 12z',
  ],
  failed: ['M12 5.99 19.53 19H4.47zM12 2 1 21h22z', 'M13 16h-2v2h2zm0-6h-2v5h2z'],
};

function Tick({
  tick,
  label,
  testId,
}: {
  tick: Exclude<StatusTick, 'none'>;
  label: string;
  testId: boolean;
}): JSX.Element {
  return (
    <svg
      className="pl-tick"
      viewBox="0 0 24 24"
      role="img"
      focusable="false"
      data-tick={tick}
      {...(testId ? { 'data-testid': 'message-status', 'data-status': tick } : {})}
    >
      <title>{label}</title>
      {PATHS[tick].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}

/**
 * The tick of an outgoing message: a clock and 'Queued' while it waits offline, a clock
 * while sending, ✓, ✓✓, ✓✓ in colour once read, ⚠ when it failed. Plain SVG styled by
 * the thread's one stylesheet (MessageStyles).
 */
export function MessageStatus({ tick }: { tick: StatusTick }): JSX.Element | null {
  const { t } = useT();
  if (tick === 'none') return null;
  const label = t(`message.status.${tick}`);
  if (tick === 'queued') {
    return (
      <span className="pl-tick-queued" data-testid="message-status" data-status="queued">
        <Tick tick={tick} label={label} testId={false} />
        {label}
      </span>
    );
  }
  return <Tick tick={tick} label={label} testId />;
}
