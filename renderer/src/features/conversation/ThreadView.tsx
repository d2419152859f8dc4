import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { ConversationPeers } from '@parley/protocol';
import type { JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import type { ParleyDb } from '../../data/db.js';
import { useConversation } from '../../data/hooks.js';
import { useThreadOpening } from '../../data/threadPrefetch.js';
import type { ThreadActions } from '../../domain/actions.js';
import { ConversationThread } from './thread/ConversationThread.js';

export function ThreadView({
  db,
  conversationId,
  actions,
  online,
  agentId,
  focus,
  peers,
}: {
  db: ParleyDb;
  conversationId: string | null;
  actions: ThreadActions;
  online: boolean;
  /** The signed-in agent. */
  agentId: string;
  focus: { messageId: string } | null;
  /** Who else views or types in the open conversation, as the server last said. */
  peers?: ConversationPeers;
}): JSX.Element {
  const { t } = useT();
  // The first screen of the chosen conversation is read in one go; until it is, the
  // conversation shown before stays. The conversation itself then follows live.
  const opening = useThreadOpening(db, conversationId);
  const live = useConversation(db, conversationId);
  const shownId = opening?.conversationId ?? live?.id;
  const conversation = live !== undefined && live.id === shownId ? live : opening?.conversation;
  const firstPage = opening !== undefined && opening.conversationId === conversation?.id ? opening : undefined;
  if (conversationId === null || conversation === undefined) {
    return (
      <Box sx={{ flex: 1, display: 'grid', placeItems: 'center' }}>
        <Typography color="text.secondary">{t('thread.empty')}</Typography>
      </Box>
    );
  }
  // Until the chosen conversation's first screen is read, the one shown is on its way out:
  // nothing typed or clicked may land in it (a reply meant for the new customer would go to
  // the old one). Its box takes no room of its own.
  const leaving = conversation.id !== conversationId;
  // Keyed, so a draft, a quote or a refusal never carries over to another conversation.
  return (
    <Box
      sx={{ display: 'contents' }}
      data-testid="thread-pane"
      data-conversation-id={conversation.id}
      inert={leaving}
      aria-busy={leaving}
    >
      <ConversationThread
        key={conversation.id}
        db={db}
        conversation={conversation}
        firstPage={firstPage}
        actions={actions}
        online={online}
        agentId={agentId}
        focus={focus}
        peers={peers?.conversationId === conversation.id ? peers : undefined}
      />
    </Box>
  );
}
