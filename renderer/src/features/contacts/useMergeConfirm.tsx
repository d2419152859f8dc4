import type { Contact } from '@parley/protocol';
import { useState, type JSX } from 'react';
import { newClientId } from '../../common/clientId.js';
import { failureText, type FailureLike } from '../../common/i18n/failures.js';
import { useT } from '../../common/i18n/index.js';
import { ConfirmDialog } from '../../common/ui/ConfirmDialog.js';
import type { ThreadActions } from '../../domain/actions.js';

/** Two contacts to merge: `source` disappears into `target`. */
export type MergePair = { source: Contact; target: Contact };

/**
 * Asking before two contacts are merged, then asking the server: `ask` opens the dialog,
 * `dialog` is the element to render. The server moves the identities and conversations and
 * checks who may merge; the change feed brings the result. `onMerged` hears of a success.
 */
export function useMergeConfirm(
  actions: ThreadActions,
  onMerged?: (pair: MergePair) => void,
): { ask: (pair: MergePair) => void; dialog: JSX.Element } {
  const { t, lang } = useT();
  const [pair, setPair] = useState<MergePair | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FailureLike | null>(null);

  function confirm(): void {
    if (pair === null) return;
    const asked = pair;
    setBusy(true);
    setError(null);
    void actions
      .mutate({
        type: 'contact.merge',
        clientId: newClientId(),
        sourceContactId: asked.source.id,
        targetContactId: asked.target.id,
      })
      .then((result) => {
        setBusy(false);
        if (result.ok) {
          setPair(null);
          onMerged?.(asked);
        } else setError(result);
      });
  }

  const dialog = (
    <ConfirmDialog
      open={pair !== null}
      title={t('contact.mergeTitle')}
      body={t('contact.mergeBody', { source: pair?.source.name ?? '', target: pair?.target.name ?? '' })}
      confirmLabel={t('contact.merge')}
      busy={busy}
      error={error === null ? null : t('contact.mergeFailed', { reason: failureText(error, lang) })}
      onConfirm={confirm}
      onCancel={() => setPair(null)}
    />
  );
  return {
    ask: (next) => {
      setError(null);
      setPair(next);
    },
    dialog,
  };
}
