import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { ChannelAccount, Contact, Conversation } from '@parley/protocol';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';
import { ChannelBadge } from '../../../common/ui/ChannelBadge.js';
import type { ThreadActions } from '../../../domain/actions.js';
import { ContactMerge } from '../../contacts/index.js';

/** Who the conversation is with, on which channel and account, and duplicates to merge. */
export function ThreadHeader({
  conversation,
  account,
  contact,
  candidates,
  actions,
}: {
  conversation: Conversation;
  account: ChannelAccount | undefined;
  contact: Contact | undefined;
  candidates: Contact[];
  actions: ThreadActions;
}): JSX.Element {
  const { t } = useT();
  const identity = contact?.identities.find((candidate) => candidate.channel === conversation.channel);
  return (
    <Box sx={{ px: 2, py: 1.5, display: 'flex', alignItems: 'center', gap: 1.5, bgcolor: 'background.paper' }}>
      <ChannelBadge channel={conversation.channel} fontSize="medium" />
      <Box sx={{ minWidth: 0, flex: 1 }}>
        <Typography variant="subtitle1" sx={{ fontWeight: 700 }} noWrap data-testid="thread-title">
          {contact?.name ?? ''}
        </Typography>
        <Typography variant="caption" color="text.secondary" noWrap component="div">
          {t(`channel.${conversation.channel}`)}
          {account === undefined ? '' : ` · ${account.name}`}
          {contact?.phone !== null && contact?.phone !== undefined
            ? ` · +${contact.phone}`
            : identity === undefined
              ? ''
              : ` · ${identity.externalId}`}
        </Typography>
      </Box>
      {contact !== undefined && <ContactMerge contact={contact} candidates={candidates} actions={actions} />}
    </Box>
  );
}
