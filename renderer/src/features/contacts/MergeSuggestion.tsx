import CallMergeIcon from '@mui/icons-material/CallMerge';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { useT } from '../../common/i18n/index.js';

/** "Possible duplicate of <name> — Merge", in the thread's header and the contact panel. */
export function MergeSuggestion({
  duplicateName,
  onMerge,
  testId = 'merge-suggestion',
}: {
  duplicateName: string;
  onMerge: () => void;
  /** Tells the panel's suggestions from the header's in tests. */
  testId?: string;
}): JSX.Element {
  const { t } = useT();
  return (
    <Box
      data-testid={testId}
      sx={{
        display: 'flex',
        alignItems: 'center',
        gap: 1,
        pl: 1.5,
        pr: 0.5,
        py: 0.25,
        borderRadius: 4,
        bgcolor: 'action.hover',
      }}
    >
      <Typography variant="body2" color="text.secondary" noWrap sx={{ minWidth: 0 }}>
        {t('contact.duplicate', { name: duplicateName })}
      </Typography>
      <Button size="small" startIcon={<CallMergeIcon />} onClick={onMerge}>
        {t('contact.merge')}
      </Button>
    </Box>
  );
}
