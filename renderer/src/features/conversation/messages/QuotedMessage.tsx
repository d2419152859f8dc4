import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';

/**
 * The message a reply quotes, shown above its bubble. Clicking it scrolls to the quoted
 * message when it is on this device.
 */
export function QuotedMessage({
  author,
  preview,
  onOpen,
  missing = null,
}: {
  author: string | null;
  /** null when the quoted message is not cached. */
  preview: string | null;
  /** What to say of a quoted message not cached, when it can still be fetched. */
  missing?: string | null;
  onOpen: (() => void) | null;
}): JSX.Element {
  const { t } = useT();
  const content = (
    <>
      {author !== null && (
        <Typography variant="caption" sx={{ fontWeight: 700, display: 'block', color: 'thread.quoteBar' }}>
          {author}
        </Typography>
      )}
      <Typography
        variant="body2"
        color="text.secondary"
        sx={{
          overflow: 'hidden',
          display: '-webkit-box',
          WebkitLineClamp: 2,
          WebkitBoxOrient: 'vertical',
          fontStyle: preview === null ? 'italic' : undefined,
        }}
      >
        {preview ?? missing ?? t('thread.quoteUnavailable')}
      </Typography>
    </>
  );
  const sx = {
    display: 'block',
    textAlign: 'left',
    maxWidth: '100%',
    bgcolor: 'thread.quote',
    borderLeft: 3,
    borderColor: 'thread.quoteBar',
    borderRadius: 1.5,
    px: 1.25,
    py: 0.5,
    mb: 0.5,
  } as const;
  return onOpen === null ? (
    <Box sx={sx} data-testid="quoted-message">
      {content}
    </Box>
  ) : (
    <ButtonBase sx={sx} onClick={onOpen} data-testid="quoted-message">
      <Box>{content}</Box>
    </ButtonBase>
  );
}
