import Avatar from '@mui/material/Avatar';
import Badge from '@mui/material/Badge';
import Box from '@mui/material/Box';
import ListItemAvatar from '@mui/material/ListItemAvatar';
import ListItemButton from '@mui/material/ListItemButton';
import Typography from '@mui/material/Typography';
import type { Conversation } from '@parley/protocol';
import type { JSX } from 'react';
import { useT, shortTime } from '../../common/i18n/index.js';
import { ChannelBadge } from '../../common/ui/ChannelBadge.js';

export type ConversationListItemProps = {
  conversation: Conversation;
  contactName: string;
  /** What the last message says, in the agent's language. */
  preview: string;
  selected: boolean;
  onSelect: (id: string) => void;
};

function initials(name: string): string {
  const parts = name
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .trim()
    .split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts[1]?.[0] ?? '')).toUpperCase() || '?';
}

export function ConversationListItem({
  conversation,
  contactName,
  preview,
  selected,
  onSelect,
}: ConversationListItemProps): JSX.Element {
  const { t, lang } = useT();
  const unread = conversation.unreadCount;
  return (
    <ListItemButton
      selected={selected}
      onClick={() => onSelect(conversation.id)}
      data-testid="conversation-item"
      data-conversation-id={conversation.id}
      sx={{ alignItems: 'flex-start', gap: 0.5, py: 1.25 }}
    >
      <ListItemAvatar sx={{ minWidth: 52 }}>
        <Badge
          overlap="circular"
          anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}
          badgeContent={
            <Box sx={{ bgcolor: 'background.paper', borderRadius: '50%', display: 'flex', p: '1px' }}>
              <ChannelBadge channel={conversation.channel} fontSize="inherit" />
            </Box>
          }
        >
          <Avatar sx={{ bgcolor: 'primary.main', width: 40, height: 40, fontSize: 16 }}>{initials(contactName)}</Avatar>
        </Badge>
      </ListItemAvatar>
      <Box sx={{ minWidth: 0, flex: 1 }}>
        <Box sx={{ display: 'flex', alignItems: 'baseline', gap: 1 }}>
          <Typography noWrap sx={{ flex: 1, fontWeight: unread > 0 ? 700 : 500 }} data-testid="conversation-name">
            {contactName}
          </Typography>
          <Typography variant="caption" color="text.secondary" sx={{ flexShrink: 0 }}>
            {shortTime(conversation.lastMessageAt, undefined, lang)}
          </Typography>
        </Box>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
          <Typography
            variant="body2"
            color={unread > 0 ? 'text.primary' : 'text.secondary'}
            noWrap
            sx={{ flex: 1 }}
            data-testid="conversation-preview"
          >
            {preview}
          </Typography>
          {unread > 0 && (
            <Box
              component="span"
              aria-label={t('inbox.unread', { count: unread })}
              sx={{
                bgcolor: 'primary.main',
                color: 'primary.contrastText',
                borderRadius: 8,
                px: 0.75,
                minWidth: 20,
                textAlign: 'center',
                fontSize: 12,
                fontWeight: 700,
                lineHeight: '20px',
              }}
            >
              {unread > 99 ? '99+' : unread}
            </Box>
          )}
        </Box>
      </Box>
    </ListItemButton>
  );
}
