import Alert from '@mui/material/Alert';
import type { JSX } from 'react';
import { newClientId } from '../../../common/clientId.js';
import { failureText } from '../../../common/i18n/failures.js';
import { useT, type Translator } from '../../../common/i18n/index.js';
import type { ParleyDb, OutboxRow } from '../../../data/db.js';
import { discardOutbox, retryOutbox } from '../../../sync/outbox.js';
import { OutboxFailure } from '../messages/OutboxFailure.js';

/** A refused change, or one the server has not taken yet after errors: the agent decides. */
function needsAttention(row: OutboxRow): boolean {
  return row.state === 'failed' || (row.lastError !== null && row.attempts > 0);
}

function outboxSummary(row: OutboxRow, t: Translator['t']): string {
  const mutation = row.mutation;
  if (mutation.type === 'message.note') return mutation.text;
  if (mutation.type === 'message.send') {
    const content = mutation.content;
    if (content.kind === 'text') return content.text;
    if (content.kind === 'media' && content.caption !== null) return content.caption;
  }
  return t('outbox.change');
}

/** Under the messages: a change that could not be saved, and outbox rows the agent must decide on. */
export function ThreadNotices({
  db,
  outbox,
  actionError,
  onCloseError,
}: {
  db: ParleyDb;
  outbox: OutboxRow[];
  actionError: string | null;
  onCloseError: () => void;
}): JSX.Element {
  const { t, lang } = useT();
  return (
    <>
      {actionError !== null && (
        <Alert severity="error" role="alert" data-testid="thread-error" onClose={onCloseError} sx={{ borderRadius: 0 }}>
          {actionError}
        </Alert>
      )}
      {outbox.filter(needsAttention).map((row) => (
        <OutboxFailure
          key={row.clientId}
          summary={outboxSummary(row, t)}
          reason={row.lastError === null ? '' : failureText(row.lastError, lang)}
          code={row.lastError?.code ?? ''}
          failed={row.state === 'failed'}
          onRetry={() => void retryOutbox(db, row.clientId, newClientId())}
          onDiscard={() => void discardOutbox(db, row.clientId)}
        />
      ))}
    </>
  );
}
