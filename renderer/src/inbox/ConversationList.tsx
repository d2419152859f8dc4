import Box from '@mui/material/Box';
import List from '@mui/material/List';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { t } from '../app/i18n.js';
import { ConversationListItem } from '../components/ConversationListItem.js';
import { conversationPreview } from '../conversation/messageView.js';
import { resolveContact } from '../data/contacts.js';
import type { ParleyDb } from '../data/db.js';
import { useContacts, useConversations } from '../data/hooks.js';

export function ConversationList({
  db,
  selectedId,
  onSelect,
}: {
  db: ParleyDb;
  selectedId: string | null;
  onSelect: (id: string) => void;
}): JSX.Element {
  const conversations = useConversations(db);
  const contacts = useContacts(db);
  if (conversations === undefined || contacts === undefined) return <Box />;
  if (conversations.length === 0) {
    return (
      <Typography color="text.secondary" sx={{ p: 3 }} data-testid="inbox-empty">
        {t('inbox.empty')}
      </Typography>
    );
  }
  return (
    <List disablePadding aria-label={t('inbox.title')} data-testid="conversation-list">
      {conversations.map((conversation) => (
        <ConversationListItem
          key={conversation.id}
          conversation={conversation}
          contactName={resolveContact(contacts, conversation.contactId)?.name ?? ''}
          preview={conversationPreview(conversation.lastMessagePreview)}
          selected={conversation.id === selectedId}
          onSelect={onSelect}
        />
      ))}
    </List>
  );
}
