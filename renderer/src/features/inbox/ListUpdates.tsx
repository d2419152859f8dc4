import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import type { JSX } from 'react';
import { useT } from '../../common/i18n/index.js';

/** The strip's height while something waits; it takes no room when nothing does. */
export const UPDATES_STRIP_HEIGHT = 36;

/**
 * The strip above the rows where "N updates — show" appears while the list's order holds
 * still (freeze.ts). It takes its own room above the first row, never covering one (the
 * list scrolls by as much when it opens, so the rows under the pointer stay put), and is a
 * polite live region, present while empty, so a screen reader hears of the waiting changes
 * without losing its place.
 */
export function ListUpdates({
  pending,
  onShow,
}: {
  pending: number;
  /** `keyboard`: pressed from the keyboard, so the focus has to go somewhere once the button is gone. */
  onShow: (keyboard: boolean) => void;
}): JSX.Element {
  const { tn } = useT();
  return (
    <Box
      role="status"
      aria-live="polite"
      data-testid="list-updates-strip"
      sx={{
        height: pending > 0 ? UPDATES_STRIP_HEIGHT : 0,
        overflow: 'hidden',
        flexShrink: 0,
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        px: 1.5,
        borderBottom: pending > 0 ? 1 : 0,
        borderColor: 'divider',
      }}
    >
      {pending > 0 && (
        <Button
          size="small"
          variant="contained"
          disableElevation
          data-testid="list-updates"
          // A click with no pointer behind it (detail 0) came from the keyboard.
          onClick={(event) => onShow(event.detail === 0)}
          // Enter is the button's own here, not the list's "open the current conversation".
          onKeyDown={(event) => {
            if (event.key !== 'Enter') return;
            event.preventDefault();
            onShow(true);
          }}
          sx={{ borderRadius: 4, py: 0.25, textTransform: 'none', whiteSpace: 'nowrap' }}
        >
          {tn('inbox.updates', pending)}
        </Button>
      )}
    </Box>
  );
}
