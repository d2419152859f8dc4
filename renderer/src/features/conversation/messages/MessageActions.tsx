import ReplyIcon from '@mui/icons-material/Reply';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/**
 * The actions shown beside a message on hover or keyboard focus: reply, and a few common
 * reactions. Picking the reaction the business already gave removes it.
 */
export function MessageActions({
  ownReaction,
  onReply,
  onReact,
}: {
  ownReaction: string | null;
  onReply: () => void;
  onReact: (emoji: string) => void;
}): JSX.Element {
  const { t } = useT();
  return (
    <Box
      className="message-actions"
      data-testid="message-actions"
      sx={{
        display: 'flex',
        alignItems: 'center',
        alignSelf: 'center',
        gap: 0.25,
        px: 0.5,
        borderRadius: 4,
        bgcolor: 'background.paper',
        boxShadow: 2,
        opacity: 0,
        transition: 'opacity 120ms',
        mx: 1,
        flexShrink: 0,
      }}
    >
      <Tooltip title={t('message.reply')}>
        <IconButton size="small" aria-label={t('message.reply')} onClick={onReply}>
          <ReplyIcon fontSize="small" />
        </IconButton>
      </Tooltip>
      {QUICK_REACTIONS.map((emoji) => (
        <IconButton
          key={emoji}
          size="small"
          aria-label={t('message.react', { emoji })}
          aria-pressed={ownReaction === emoji}
          onClick={() => onReact(ownReaction === emoji ? '' : emoji)}
          sx={{
            fontSize: 16,
            width: 30,
            height: 30,
            bgcolor: ownReaction === emoji ? 'action.selected' : undefined,
          }}
        >
          {emoji}
        </IconButton>
      ))}
    </Box>
  );
}
