import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import List from '@mui/material/List';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, useState, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import { ConversationListItem } from './ConversationListItem.js';
import { SearchField } from '../../common/ui/SearchField.js';
import { SearchResults, useSearch } from '../search/index.js';
import { lastMessageText } from '../../domain/messageView.js';
import { resolveContact } from '../../domain/contacts.js';
import type { ParleyDb } from '../../data/db.js';
import type { Agent } from '@parley/protocol';
import type { ViewId } from '../../domain/views.js';
import { useContacts, useConversations } from '../../data/hooks.js';

function Conversations({
  db,
  selectedId,
  onSelect,
}: {
  db: ParleyDb;
  selectedId: string | null;
  onSelect: (id: string) => void;
}): JSX.Element {
  const { t, lang } = useT();
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
          preview={lastMessageText(conversation, lang)}
          selected={conversation.id === selectedId}
          onSelect={onSelect}
        />
      ))}
    </List>
  );
}

/** The inbox list with its search: while a query is typed, grouped results replace the list. */
/** What the shell's keyboard shortcuts ask of the list. */
export type ListHandle = {
  /** Puts keyboard focus on the list (on its current row). */
  focus(): void;
  /** Moves the current row by one, down (1) or up (-1), opening nothing. */
  move(delta: 1 | -1): void;
  /** Opens the current row's conversation. */
  openCurrent(): void;
  /** Puts keyboard focus in the search field. */
  focusSearch(): void;
};

export function ConversationList({
  db,
  selectedId,
  onSelect,
  onOpenResult,
}: {
  db: ParleyDb;
  me: Agent;
  view: ViewId;
  onViewChange: (view: ViewId) => void;
  /** Receives the list's handle when it mounts, null when it unmounts. */
  handleRef?: (handle: ListHandle | null) => void;
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** A search result: its conversation, and the message found in it (null for a contact). */
  onOpenResult: (conversationId: string, messageId: string | null) => void;
}): JSX.Element {
  const { t } = useT();
  const [query, setQuery] = useState('');
  const groups = useSearch(db, query);
  const searchInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const focusSearch = (event: KeyboardEvent): void => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        searchInput.current?.focus();
        searchInput.current?.select();
      }
    };
    window.addEventListener('keydown', focusSearch);
    return () => window.removeEventListener('keydown', focusSearch);
  }, []);

  const searching = query.trim() !== '';
  return (
    <Box>
      <Box sx={{ px: 1.5, pb: 1 }}>
        <SearchField value={query} onChange={setQuery} inputRef={searchInput} />
      </Box>
      {searching ? (
        groups === undefined ? (
          <LinearProgress aria-label={t('search.searching')} />
        ) : (
          <SearchResults groups={groups} onOpen={onOpenResult} />
        )
      ) : (
        <Conversations db={db} selectedId={selectedId} onSelect={onSelect} />
      )}
    </Box>
  );
}
