import EditOutlinedIcon from '@mui/icons-material/EditOutlined';
import OpenInNewIcon from '@mui/icons-material/OpenInNew';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import VisibilityOutlinedIcon from '@mui/icons-material/VisibilityOutlined';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { ChannelAccount, Contact, Conversation } from '@parley/protocol';
import { use, type JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';
import { ChannelBadge } from '../../../common/ui/ChannelBadge.js';
import type { ThreadActions } from '../../../domain/actions.js';
import { phoneText } from '../../../domain/contacts.js';
import { ContactMerge } from '../../contacts/index.js';
import { PopOutContext } from '../../../platform/desktop.js';

/** Who the conversation is with, on which channel and account, and duplicates to merge. */
export function ThreadHeader({
  conversation,
  account,
  contact,
  candidates,
  actions,
  viewers,
  typers,
}: {
  conversation: Conversation;
  account: ChannelAccount | undefined;
  contact: Contact | undefined;
  candidates: Contact[];
  actions: ThreadActions;
  /** Colleagues viewing this thread now, their names in a list; null: nobody. */
  viewers: { text: string; count: number } | null;
  /** Colleagues writing in it now. */
  typers: { text: string; count: number } | null;
}): JSX.Element {
  const { t, tn } = useT();
  // Opening this conversation in its own window; null inside such a window.
  const popOut = use(PopOutContext);
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
            ? ` · ${phoneText(contact.phone)}`
            : identity === undefined
              ? ''
              : ` · ${identity.externalId}`}
        </Typography>
      </Box>
      <Box role="status" aria-live="polite" sx={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-end' }}>
        {viewers !== null && (
          <Typography
            variant="caption"
            color="text.secondary"
            sx={{ display: 'flex', alignItems: 'center', gap: 0.5 }}
            data-testid="thread-viewers"
          >
            <VisibilityOutlinedIcon sx={{ fontSize: 16 }} aria-hidden />
            {tn('collision.viewing', viewers.count, { names: viewers.text })}
          </Typography>
        )}
        {typers !== null && (
          <Typography
            variant="caption"
            color="warning.main"
            sx={{ display: 'flex', alignItems: 'center', gap: 0.5, fontWeight: 600 }}
            data-testid="thread-typers"
          >
            <EditOutlinedIcon sx={{ fontSize: 16 }} aria-hidden />
            {tn('collision.typing', typers.count, { names: typers.text })}
          </Typography>
        )}
      </Box>
      {contact !== undefined && <ContactMerge contact={contact} candidates={candidates} actions={actions} />}
      {popOut !== null && (
        <Tooltip title={t('desktop.popOut')}>
          <IconButton
            onClick={() => popOut(conversation.id)}
            aria-label={t('desktop.popOut')}
            data-testid="popout-button"
          >
            <OpenInNewIcon />
          </IconButton>
        </Tooltip>
      )}
    </Box>
  );
}
