import Box from '@mui/material/Box';
import type { Contact } from '@parley/protocol';
import { useState, type JSX } from 'react';
import { failureText, type FailureLike } from '../../common/i18n/failures.js';
import { useT } from '../../common/i18n/index.js';
import { ConfirmDialog } from '../../common/ui/ConfirmDialog.js';
import { MergeSuggestion } from './MergeSuggestion.js';
import { newClientId } from '../../common/clientId.js';
import type { ThreadActions } from '../../domain/actions.js';

/**
 * Offers to merge the conversation's contact into a contact that looks like the same
 * person, after asking. The server moves the identities and conversations; the change
 * feed brings the result.
 */
export function ContactMerge({
  contact,
  candidates,
  actions,
}: {
  contact: Contact;
  candidates: readonly Contact[];
  actions: ThreadActions;
}): JSX.Element | null {
  const { t, lang } = useT();
  const [target, setTarget] = useState<Contact | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FailureLike | null>(null);
  if (candidates.length === 0) return null;

  function confirm(): void {
    if (target === null) return;
    setBusy(true);
    setError(null);
    void actions
      .mutate({
        type: 'contact.merge',
        clientId: newClientId(),
        sourceContactId: contact.id,
        targetContactId: target.id,
      })
      .then((result) => {
        setBusy(false);
        if (result.ok) setTarget(null);
        else setError(result);
      });
  }

  return (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', justifyContent: 'flex-end' }}>
      {candidates.map((candidate) => (
        <MergeSuggestion
          key={candidate.id}
          duplicateName={candidate.name}
          onMerge={() => {
            setError(null);
            setTarget(candidate);
          }}
        />
      ))}
      <ConfirmDialog
        open={target !== null}
        title={t('contact.mergeTitle')}
        body={t('contact.mergeBody', { source: contact.name, target: target?.name ?? '' })}
        confirmLabel={t('contact.merge')}
        busy={busy}
        error={error === null ? null : t('contact.mergeFailed', { reason: failureText(error, lang) })}
        onConfirm={confirm}
        onCancel={() => setTarget(null)}
      />
    </Box>
  );
}
