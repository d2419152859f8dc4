import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemButton from '@mui/material/ListItemButton';
import Typography from '@mui/material/Typography';
import type { Conversation } from '@parley/protocol';
import type { JSX } from 'react';
import { messageTime, useT } from '../../common/i18n/index.js';
import { previewText } from '../../common/i18n/previews.js';
import { ChannelBadge } from '../../common/ui/ChannelBadge.js';
import { useNow } from '../../common/useNow.js';

/**
 * The customer's conversations on every channel, newest activity first; one click or Enter
 * opens one. The open one is marked and not a link to itself.
 */
export function ContactConversations({
  conversations,
  total,
  currentId,
  onOpen,
  onShowMore,
}: {
  conversations: readonly Conversation[];
  total: number;
  currentId: string;
  onOpen: (conversationId: string) => void;
  onShowMore: () => void;
}): JSX.Element {
  const { t, tn, lang } = useT();
  const now = useNow();
  return (
    <Box>
      <List
        dense
        disablePadding
        data-testid="contact-conversations"
        aria-label={tn('contacts.conversations.count', total)}
      >
        {conversations.map((conversation) => {
          const current = conversation.id === currentId;
          const preview =
            conversation.preview === null ? t('contacts.conversations.empty') : previewText(conversation.preview, lang);
          return (
            <ListItem key={conversation.id} disablePadding>
              <ListItemButton
                data-testid="contact-conversation"
                data-conversation-id={conversation.id}
                data-current={current ? 'true' : 'false'}
                aria-current={current ? 'true' : undefined}
                selected={current}
                onClick={() => {
                  if (!current) onOpen(conversation.id);
                }}
                sx={{
                  alignItems: 'flex-start',
                  gap: 1,
                  borderRadius: 1,
                  '&.Mui-focusVisible': { outline: '2px solid', outlineColor: 'primary.main', outlineOffset: -2 },
                }}
              >
                <Box sx={{ pt: 0.25, display: 'flex' }}>
                  <ChannelBadge channel={conversation.channel} />
                </Box>
                <Box sx={{ minWidth: 0, flex: 1 }}>
                  <Box sx={{ display: 'flex', alignItems: 'baseline', gap: 1 }}>
                    <Typography
                      variant="caption"
                      component="span"
                      data-testid="contact-conversation-status"
                      sx={{
                        fontWeight: 600,
                        color: conversation.status === 'resolved' ? 'text.secondary' : 'text.primary',
                      }}
                    >
                      {t(`contacts.status.${conversation.status}`)}
                    </Typography>
                    {current && (
                      <Typography variant="caption" component="span" color="primary" sx={{ fontWeight: 600 }}>
                        {t('contacts.conversations.current')}
                      </Typography>
                    )}
                    <Typography
                      variant="caption"
                      component="span"
                      color="text.secondary"
                      sx={{ ml: 'auto', flexShrink: 0 }}
                    >
                      {messageTime(conversation.lastMessageAt, now, lang)}
                    </Typography>
                  </Box>
                  <Typography variant="body2" color="text.secondary" noWrap data-testid="contact-conversation-preview">
                    {preview}
                  </Typography>
                </Box>
              </ListItemButton>
            </ListItem>
          );
        })}
      </List>
      {total > conversations.length && (
        <Button size="small" onClick={onShowMore} data-testid="contact-conversations-more" sx={{ mt: 0.5 }}>
          {tn('contacts.conversations.more', total - conversations.length)}
        </Button>
      )}
    </Box>
  );
}
