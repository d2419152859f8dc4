import Box from '@mui/material/Box';
import type { Contact } from '@parley/protocol';
import type { JSX } from 'react';
import type { ThreadActions } from '../../domain/actions.js';
import { MergeSuggestion } from './MergeSuggestion.js';
import { useMergeConfirm } from './useMergeConfirm.js';

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
  const { ask, dialog } = useMergeConfirm(actions);
  if (candidates.length === 0) return null;
  return (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', justifyContent: 'flex-end' }}>
      {candidates.map((candidate) => (
        <MergeSuggestion
          key={candidate.id}
          duplicateName={candidate.name}
          onMerge={() => ask({ source: contact, target: candidate })}
        />
      ))}
      {dialog}
    </Box>
  );
}
