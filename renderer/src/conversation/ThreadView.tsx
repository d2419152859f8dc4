import Box from '@mui/material/Box';
import Divider from '@mui/material/Divider';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, type JSX } from 'react';
import { t } from '../app/i18n.js';
import { ChannelBadge } from '../components/ChannelBadge.js';
import { MessageBubble } from '../components/MessageBubble.js';
import type { ParleyDb } from '../data/db.js';
import { useContact, useConversation, useMessages } from '../data/hooks.js';

export function ThreadView({ db, conversationId }: { db: ParleyDb; conversationId: string | null }): JSX.Element {
  const conversation = useConversation(db, conversationId);
  const contact = useContact(db, conversation?.contactId);
  const messages = useMessages(db, conversationId);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages?.length]);

  if (conversationId === null || conversation === undefined) {
    return (
      <Box sx={{ flex: 1, display: 'grid', placeItems: 'center' }}>
        <Typography color="text.secondary">{t('thread.empty')}</Typography>
      </Box>
    );
  }
  const identity = contact?.identities.find((candidate) => candidate.channel === conversation.channel);
  return (
    <Box sx={{ flex: 1, display: 'flex', flexDirection: 'column', minWidth: 0 }} data-testid="thread">
      <Box sx={{ px: 2, py: 1.5, display: 'flex', alignItems: 'center', gap: 1.5, bgcolor: 'background.paper' }}>
        <ChannelBadge channel={conversation.channel} fontSize="medium" />
        <Box sx={{ minWidth: 0 }}>
          <Typography variant="subtitle1" sx={{ fontWeight: 700 }} noWrap data-testid="thread-title">
            {contact?.name ?? ''}
          </Typography>
          <Typography variant="caption" color="text.secondary" noWrap>
            {t(`channel.${conversation.channel}`)}
            {contact?.phone !== null && contact?.phone !== undefined
              ? ` · +${contact.phone}`
              : identity === undefined
                ? ''
                : ` · ${identity.externalId}`}
          </Typography>
        </Box>
      </Box>
      <Divider />
      <Box sx={{ flex: 1, overflowY: 'auto', py: 1 }} role="log" aria-live="polite">
        {messages !== undefined && messages.length === 0 && (
          <Typography color="text.secondary" sx={{ p: 3 }}>
            {t('thread.noMessages')}
          </Typography>
        )}
        {messages?.map((message) => (
          <MessageBubble key={message.id} message={message} />
        ))}
        <div ref={end} />
      </Box>
    </Box>
  );
}
