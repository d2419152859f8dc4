import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';

/**
 * A change the server refused (or one still waiting after errors): what it was, the
 * server's words, and what the agent can do about it.
 */
export function OutboxFailure({
  summary,
  reason,
  code,
  failed,
  onRetry,
  onDiscard,
}: {
  summary: string;
  reason: string;
  code: string;
  failed: boolean;
  onRetry: () => void;
  onDiscard: () => void;
}): JSX.Element {
  const { t } = useT();
  return (
    <Alert
      severity={failed ? 'error' : 'warning'}
      data-testid="outbox-failure"
      data-code={code}
      data-state={failed ? 'failed' : 'queued'}
      sx={{ borderRadius: 0 }}
      action={
        <>
          <Button color="inherit" size="small" onClick={onRetry} data-testid="outbox-retry">
            {t('outbox.retry')}
          </Button>
          <Button color="inherit" size="small" onClick={onDiscard} data-testid="outbox-discard">
            {t('outbox.discard')}
          </Button>
        </>
      }
    >
      <strong>{summary}</strong> — {t(failed ? 'outbox.failed' : 'outbox.waiting', { reason })}
    </Alert>
  );
}
