import AutoStoriesOutlinedIcon from '@mui/icons-material/AutoStoriesOutlined';
import DeleteOutlineOutlinedIcon from '@mui/icons-material/DeleteOutlineOutlined';
import EditNoteOutlinedIcon from '@mui/icons-material/EditNoteOutlined';
import ForwardOutlinedIcon from '@mui/icons-material/ForwardOutlined';
import HistoryEduOutlinedIcon from '@mui/icons-material/HistoryEduOutlined';
import OpenInNewIcon from '@mui/icons-material/OpenInNew';
import ShareOutlinedIcon from '@mui/icons-material/ShareOutlined';
import ShoppingCartOutlinedIcon from '@mui/icons-material/ShoppingCartOutlined';
import SupportAgentIcon from '@mui/icons-material/SupportAgent';
import TouchAppOutlinedIcon from '@mui/icons-material/TouchAppOutlined';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { Message } from '@parley/protocol';
import type { JSX, ReactNode } from 'react';
import { messageErrorText } from '../../../common/i18n/failures.js';
import { useT, messageTime } from '../../../common/i18n/index.js';
import { groupReactions, ownReaction, statusTick } from '../../../domain/messageView.js';
import { LocationCard } from './LocationCard.js';
import { MessageActions } from './MessageActions.js';
import { MessageStatus } from './MessageStatus.js';
import { ReactionBar } from './ReactionBar.js';
import { linkify } from '../../../common/linkify.js';
import { SharedContactCard } from './SharedContactCard.js';

export type MessageBubbleProps = {
  message: Message;
  /** A sent template's filled text, when the message carries none itself. */
  templateText: string | null;
  /** The message's files, rendered by a container that can fetch them. */
  attachments: ReactNode;
  /** The quoted message, shown above the bubble. */
  quote: ReactNode;
  highlighted: boolean;
  /** Whether the socket is up: a pending reply is 'Sending' online and 'Queued' offline. */
  online: boolean;
  onReply: () => void;
  /** An emoji, or '' to remove the business's reaction. */
  onReact: (emoji: string) => void;
};

/** A small line naming what kind of message this is: a story mention, a template… */
function KindLabel({ icon, children }: { icon: ReactNode; children: ReactNode }): JSX.Element {
  return (
    <Typography
      variant="caption"
      component="div"
      data-testid="message-label"
      sx={{ display: 'flex', alignItems: 'center', gap: 0.5, fontWeight: 600, opacity: 0.75, mb: 0.25 }}
    >
      {icon}
      {children}
    </Typography>
  );
}

function Content({ message, templateText, attachments }: MessageBubbleProps): JSX.Element {
  const { t } = useT();
  if (message.deletedAt !== null) {
    return (
      <Typography
        variant="body1"
        data-testid="message-deleted"
        sx={{ display: 'flex', alignItems: 'center', gap: 0.75, fontStyle: 'italic', color: 'text.secondary' }}
      >
        <DeleteOutlineOutlinedIcon fontSize="small" />
        {t('message.deleted')}
      </Typography>
    );
  }
  if (message.kind === 'unsupported') {
    return (
      <Typography variant="body1" sx={{ fontStyle: 'italic', color: 'text.secondary' }} data-testid="message-text">
        {t('thread.unsupported')}
      </Typography>
    );
  }
  const text = message.kind === 'template' ? (message.text ?? templateText) : message.text;
  const storyUrl = message.replyTo?.storyUrl ?? null;
  return (
    <>
      {message.forwarded !== 'no' && (
        <KindLabel icon={<ForwardOutlinedIcon fontSize="inherit" />}>
          <span data-testid="message-forwarded">
            {t(message.forwarded === 'frequently' ? 'message.frequentlyForwarded' : 'message.forwarded')}
          </span>
        </KindLabel>
      )}
      {message.kind === 'story_mention' && (
        <KindLabel icon={<AutoStoriesOutlinedIcon fontSize="inherit" />}>{t('message.storyMention')}</KindLabel>
      )}
      {storyUrl !== null && (
        <KindLabel icon={<AutoStoriesOutlinedIcon fontSize="inherit" />}>
          {t('message.storyReply')}
          {/^https?:\/\//i.test(storyUrl) && (
            <Link
              href={storyUrl}
              target="_blank"
              rel="noopener noreferrer"
              color="inherit"
              sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.25, ml: 0.5 }}
            >
              {t('message.openStory')}
              <OpenInNewIcon sx={{ fontSize: 12 }} />
            </Link>
          )}
        </KindLabel>
      )}
      {message.kind === 'share' && (
        <KindLabel icon={<ShareOutlinedIcon fontSize="inherit" />}>{t('message.share')}</KindLabel>
      )}
      {message.kind === 'order' && (
        <KindLabel icon={<ShoppingCartOutlinedIcon fontSize="inherit" />}>{t('message.order')}</KindLabel>
      )}
      {message.kind === 'note' && (
        <KindLabel icon={<EditNoteOutlinedIcon fontSize="inherit" />}>{t('message.note')}</KindLabel>
      )}
      {message.kind === 'template' && message.template !== null && (
        <KindLabel icon={<HistoryEduOutlinedIcon fontSize="inherit" />}>
          <span data-testid="message-template">{t('message.template', { name: message.template.name })}</span>
        </KindLabel>
      )}
      {message.interactive !== null && (
        <Box sx={{ my: 0.5 }}>
          <Chip
            icon={<TouchAppOutlinedIcon />}
            label={message.interactive.title}
            color="primary"
            variant="outlined"
            size="small"
            aria-label={`${t('message.interactive')}: ${message.interactive.title}`}
            data-testid="interactive-reply"
            sx={{ maxWidth: '100%', fontWeight: 600 }}
          />
          {message.interactive.description !== null && (
            <Typography variant="caption" color="text.secondary" sx={{ display: 'block', mt: 0.25 }}>
              {message.interactive.description}
            </Typography>
          )}
        </Box>
      )}
      {attachments}
      {message.location !== null && <LocationCard location={message.location} />}
      {message.sharedContacts.map((contact, index) => (
        <SharedContactCard key={index} contact={contact} />
      ))}
      {text !== null && text !== '' && !(message.interactive !== null && text === message.interactive.title) && (
        <p className="pl-msg-text" data-testid="message-text">
          {linkify(text).map((part, index) =>
            part.kind === 'link' ? (
              <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
                {part.text}
              </a>
            ) : (
              part.text
            ),
          )}
        </p>
      )}
    </>
  );
}

export function MessageBubble(props: MessageBubbleProps): JSX.Element {
  const { t, lang } = useT();
  const { message, quote, highlighted, online, onReply, onReact } = props;
  const outbound = message.direction === 'outbound';
  const deleted = message.deletedAt !== null;
  const tick = statusTick(message, online);
  const actions = deleted ? null : (
    <MessageActions ownReaction={ownReaction(message.reactions)} onReply={onReply} onReact={onReact} />
  );
  return (
    <div
      className="pl-msg"
      data-testid="message"
      data-message-id={message.id}
      data-highlighted={highlighted}
      data-direction={message.direction}
      data-kind={message.kind}
    >
      {outbound && actions}
      <div className="pl-msg-column">
        {quote}
        <div className="pl-msg-bubble">
          <Content {...props} />
          <div className="pl-msg-meta">
            {message.humanAgentTag && (
              <SupportAgentIcon
                fontSize="inherit"
                titleAccess={t('message.humanAgent')}
                data-testid="human-agent-tag"
              />
            )}
            {message.editedAt !== null && !deleted && <span data-testid="message-edited">{t('message.edited')} ·</span>}
            <span>{messageTime(message.createdAt, undefined, lang)}</span>
            <MessageStatus tick={tick} />
          </div>
        </div>
        {!deleted && <ReactionBar groups={groupReactions(message.reactions)} onRemoveOwn={() => onReact('')} />}
        {tick === 'failed' && (
          <Tooltip title={message.error === null ? '' : t('message.errorCode', { code: message.error.code })}>
            <Typography
              variant="caption"
              color="error"
              data-testid="message-error"
              data-code={message.error?.code ?? ''}
              sx={{ display: 'flex', alignItems: 'center', gap: 0.5, mt: 0.5, maxWidth: 420 }}
            >
              <WarningAmberIcon fontSize="inherit" />
              {message.error === null ? t('message.failedNoReason') : messageErrorText(message.error, lang)}
            </Typography>
          </Tooltip>
        )}
      </div>
      {!outbound && actions}
    </div>
  );
}
