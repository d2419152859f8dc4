import Box from '@mui/material/Box';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { useT, shortTime } from '../../common/i18n/index.js';
import type { SearchGroup, SnippetPart } from './searchIndex.js';
import { ChannelBadge } from '../../common/ui/ChannelBadge.js';

export type SearchResultsProps = {
  groups: readonly SearchGroup[];
  onOpen: (conversationId: string, messageId: string | null) => void;
};

function Snippet({ parts }: { parts: readonly SnippetPart[] }): JSX.Element {
  return (
    <>
      {parts.map((part, index) =>
        part.match ? (
          <Box key={index} component="mark" sx={{ bgcolor: 'warning.light', color: 'common.black', borderRadius: 0.5 }}>
            {part.text}
          </Box>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </>
  );
}

/** Search results grouped by conversation: who, on which channel, and the matching lines. */
export function SearchResults({ groups, onOpen }: SearchResultsProps): JSX.Element {
  const { t, lang } = useT();
  if (groups.length === 0) {
    return (
      <Typography color="text.secondary" sx={{ p: 3 }} data-testid="search-empty">
        {t('search.noResults')}
      </Typography>
    );
  }
  return (
    <List disablePadding aria-label={t('search.results')} data-testid="search-results">
      {groups.map((group) => (
        <Box
          key={group.conversationId}
          component="li"
          data-testid="search-group"
          data-conversation-id={group.conversationId}
          sx={{ borderBottom: 1, borderColor: 'divider', listStyle: 'none' }}
        >
          <ListItemButton
            onClick={() => onOpen(group.conversationId, null)}
            sx={{ gap: 1, py: 0.75 }}
            data-testid="search-group-header"
          >
            <ChannelBadge channel={group.channel} />
            <Typography noWrap sx={{ flex: 1, fontWeight: 600 }} data-testid="search-group-name">
              {group.contactName}
            </Typography>
          </ListItemButton>
          {group.hits.map((hit) => (
            <ListItemButton
              key={hit.messageId}
              onClick={() => onOpen(group.conversationId, hit.messageId)}
              sx={{ pl: 5.5, py: 0.5, alignItems: 'baseline', gap: 1 }}
              data-testid="search-hit"
            >
              <Typography variant="body2" color="text.secondary" sx={{ flex: 1, minWidth: 0 }}>
                {hit.kind === 'note' && (
                  <Typography component="span" variant="caption" sx={{ fontWeight: 700, mr: 0.5 }}>
                    {t('search.note')}
                  </Typography>
                )}
                <Snippet parts={hit.snippet} />
              </Typography>
              <Typography variant="caption" color="text.secondary" sx={{ flexShrink: 0 }}>
                {shortTime(hit.createdAt, undefined, lang)}
              </Typography>
            </ListItemButton>
          ))}
        </Box>
      ))}
    </List>
  );
}
