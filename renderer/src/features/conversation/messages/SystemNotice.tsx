import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { Message } from '@parley/protocol';
import type { JSX } from 'react';
import { useT, messageTime } from '../../../common/i18n/index.js';

/** A platform notice in the thread (a customer changed their number…): centred and quiet. */
export function SystemNotice({ message }: { message: Message }): JSX.Element {
  const { t, lang } = useT();
  return (
    <Box
      data-testid="message"
      data-message-id={message.id}
      data-direction={message.direction}
      data-kind="system"
      sx={{ display: 'flex', justifyContent: 'center', px: 4, py: 1 }}
    >
      <Typography
        variant="caption"
        color="text.secondary"
        data-testid="system-notice"
        sx={{ textAlign: 'center', bgcolor: 'action.hover', borderRadius: 2, px: 1.5, py: 0.5, maxWidth: 560 }}
      >
        {message.text ?? t('preview.system')} · {messageTime(message.createdAt, undefined, lang)}
      </Typography>
    </Box>
  );
}
