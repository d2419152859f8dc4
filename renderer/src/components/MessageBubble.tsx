import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { Message } from '@parley/protocol';
import type { JSX } from 'react';
import { shortTime, t } from '../app/i18n.js';

export function MessageBubble({ message }: { message: Message }): JSX.Element {
  const outbound = message.direction === 'outbound';
  const unsupported = message.kind === 'unsupported';
  return (
    <Box
      data-testid="message"
      data-direction={message.direction}
      sx={{ display: 'flex', justifyContent: outbound ? 'flex-end' : 'flex-start', px: 2, py: 0.5 }}
    >
      <Box
        sx={{
          maxWidth: 'min(70%, 560px)',
          px: 1.5,
          py: 1,
          borderRadius: 2,
          borderTopLeftRadius: outbound ? undefined : 4,
          borderTopRightRadius: outbound ? 4 : undefined,
          bgcolor: outbound ? 'primary.main' : 'background.paper',
          color: outbound ? 'primary.contrastText' : 'text.primary',
          boxShadow: 1,
        }}
      >
        <Typography
          variant="body1"
          sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontStyle: unsupported ? 'italic' : undefined }}
          data-testid="message-text"
        >
          {unsupported ? t('thread.unsupported') : message.text}
        </Typography>
        <Typography variant="caption" sx={{ display: 'block', textAlign: 'right', opacity: 0.7 }}>
          {shortTime(message.createdAt)}
        </Typography>
      </Box>
    </Box>
  );
}
