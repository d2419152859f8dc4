import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Divider from '@mui/material/Divider';
import Typography from '@mui/material/Typography';
import type { Conversation, Message, Mutation } from '@parley/protocol';
import { useEffect, useMemo, useRef, useState, type JSX, type ReactNode } from 'react';
import { t } from '../common/i18n/index.js';
import { ChannelBadge } from '../components/ChannelBadge.js';
import { ConversationControls } from '../components/ConversationControls.js';
import { MessageBubble } from '../components/MessageBubble.js';
import { QuotedMessage } from '../components/QuotedMessage.js';
import { SystemNotice } from '../components/SystemNotice.js';
import { mergeCandidates, resolveContact } from '../data/contacts.js';
import type { ParleyDb } from '../data/db.js';
import {
  useAgents,
  useChannelAccount,
  useContacts,
  useHistory,
  useMessages,
  useOutbox,
  useTemplates,
} from '../data/hooks.js';
import { OutboxFailure } from '../components/OutboxFailure.js';
import type { OutboxRow } from '../data/db.js';
import { requestHistory } from '../sync/history.js';
import { discardOutbox, enqueue, retryOutbox } from '../sync/outbox.js';
import { newClientId } from '../sync/typing.js';
import type { ThreadActions } from './actions.js';
import { ContactMerge } from './ContactMerge.js';
import { ConversationComposer } from './ConversationComposer.js';
import { MessageAttachment } from './MessageAttachment.js';
import { messagePreview } from './messageView.js';
import { filledTemplateText } from './templates.js';
import { useNow } from './useNow.js';

const HIGHLIGHT_MS = 1600;

/** A refused change, or one the server has not taken yet after errors: the agent decides. */
function needsAttention(row: OutboxRow): boolean {
  return row.state === 'failed' || (row.lastError !== null && row.attempts > 0);
}

function outboxSummary(row: OutboxRow): string {
  const mutation = row.mutation;
  if (mutation.type === 'message.note') return mutation.text;
  if (mutation.type === 'message.send') {
    const content = mutation.content;
    if (content.kind === 'text') return content.text;
    if (content.kind === 'media' && content.caption !== null) return content.caption;
  }
  return t('outbox.change');
}

/** One open conversation: its header, its messages in time order, and the composer. */
export function ConversationThread({
  db,
  conversation,
  actions,
  online,
  agentId,
  focus,
}: {
  db: ParleyDb;
  conversation: Conversation;
  actions: ThreadActions;
  online: boolean;
  agentId: string;
  /** A message to bring into view once it is shown (a search result): a new object asks again. */
  focus: { messageId: string } | null;
}): JSX.Element {
  const contacts = useContacts(db);
  const agents = useAgents(db);
  const messages = useMessages(db, conversation.id);
  const account = useChannelAccount(db, conversation.channelAccountId);
  const templates = useTemplates(db, conversation.channelAccountId);
  const outbox = useOutbox(db, conversation.id);
  const history = useHistory(db, conversation.id);
  const now = useNow();
  const [replyToId, setReplyToId] = useState<string | null>(null);
  const [highlightedId, setHighlightedId] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const log = useRef<HTMLDivElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const highlightTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const markedRead = useRef<string | null>(null);

  const contact = contacts === undefined ? undefined : resolveContact(contacts, conversation.contactId);
  const contactName = contact?.name ?? '';
  const candidates = contacts === undefined || contact === undefined ? [] : mergeCandidates(contacts, contact);

  const index = useMemo(() => {
    const byId = new Map<string, Message>();
    const byExternalId = new Map<string, Message>();
    for (const message of messages ?? []) {
      byId.set(message.id, message);
      if (message.externalId !== null) byExternalId.set(message.externalId, message);
    }
    return { byId, byExternalId };
  }, [messages]);

  // Follow the end of the thread while the agent is there: when a message arrives, and when
  // a picture that loads late makes the content taller. Scrolling up to read stops it.
  const atEnd = useRef(true);
  const lastId = messages?.at(-1)?.id;
  const lastIsOutbound = messages?.at(-1)?.direction === 'outbound';
  useEffect(() => {
    // The agent's own reply always brings the end back into view.
    if (lastIsOutbound) atEnd.current = true;
    if (atEnd.current) end.current?.scrollIntoView({ block: 'end' });
  }, [lastId, lastIsOutbound]);
  useEffect(() => {
    const content = log.current?.firstElementChild;
    if (content === null || content === undefined) return;
    const observer = new ResizeObserver(() => {
      if (atEnd.current) end.current?.scrollIntoView({ block: 'end' });
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, []);

  useEffect(() => () => clearTimeout(highlightTimer.current), []);

  // A search result opens its conversation at the message it found, highlighted.
  const focused = useRef<{ messageId: string } | null>(null);
  const focusShown = focus !== null && index.byId.has(focus.messageId);
  useEffect(() => {
    if (focus === null || !focusShown || focused.current === focus) return;
    focused.current = focus;
    atEnd.current = false;
    scrollTo(focus.messageId);
  });

  // Opening a conversation with unread messages marks them read; so does a message arriving
  // while it is open. Once per last message; the outbox sends it when online.
  useEffect(() => {
    if (conversation.unreadCount === 0) return;
    const key = `${conversation.id}:${conversation.lastMessageAt}`;
    if (markedRead.current === key) return;
    markedRead.current = key;
    void enqueue(db, { type: 'conversation.markRead', clientId: newClientId(), conversationId: conversation.id }).catch(
      () => {
        if (markedRead.current === key) markedRead.current = null;
      },
    );
  }, [db, conversation.id, conversation.unreadCount, conversation.lastMessageAt]);

  function quoted(message: Message): Message | undefined {
    const ref = message.replyTo;
    if (ref === null) return undefined;
    return (
      (ref.messageId === null ? undefined : index.byId.get(ref.messageId)) ??
      (ref.externalId === null ? undefined : index.byExternalId.get(ref.externalId))
    );
  }

  function authorOf(message: Message): string {
    return message.direction === 'inbound' ? contactName : t('thread.you');
  }

  function scrollTo(messageId: string): void {
    const element = log.current?.querySelector(`[data-message-id="${CSS.escape(messageId)}"]`);
    element?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    setHighlightedId(messageId);
    clearTimeout(highlightTimer.current);
    highlightTimer.current = setTimeout(() => setHighlightedId(null), HIGHLIGHT_MS);
  }

  function react(message: Message, emoji: string): void {
    setActionError(null);
    void enqueue(db, { type: 'message.react', clientId: newClientId(), messageId: message.id, emoji }).catch(
      (error: unknown) =>
        setActionError(t('outbox.notSaved', { detail: error instanceof Error ? error.message : String(error) })),
    );
  }

  /** Assignment, status and labels go through the outbox, like a reply: offline too. */
  function change(mutation: Mutation): void {
    setActionError(null);
    void enqueue(db, mutation).catch((error: unknown) =>
      setActionError(t('outbox.notSaved', { detail: error instanceof Error ? error.message : String(error) })),
    );
  }

  function quoteOf(message: Message): ReactNode {
    const ref = message.replyTo;
    // A reply to an Instagram story has no message to quote: the bubble says so itself.
    if (ref === null || (ref.messageId === null && ref.externalId === null)) return null;
    const target = quoted(message);
    return (
      <QuotedMessage
        author={target === undefined ? null : authorOf(target)}
        preview={target === undefined ? null : messagePreview(target)}
        onOpen={target === undefined ? null : () => scrollTo(target.id)}
      />
    );
  }

  function templateTextOf(message: Message): string | null {
    const sent = message.template;
    if (sent === null || message.text !== null) return null;
    const template =
      templates?.find((candidate) => candidate.name === sent.name && candidate.language === sent.language) ??
      templates?.find((candidate) => candidate.name === sent.name);
    return template === undefined ? sent.parameters.join(' · ') : filledTemplateText(template, sent.parameters);
  }

  const replyTarget = replyToId === null ? undefined : index.byId.get(replyToId);
  const identity = contact?.identities.find((candidate) => candidate.channel === conversation.channel);
  return (
    <Box sx={{ flex: 1, display: 'flex', flexDirection: 'column', minWidth: 0 }} data-testid="thread">
      <Box sx={{ px: 2, py: 1.5, display: 'flex', alignItems: 'center', gap: 1.5, bgcolor: 'background.paper' }}>
        <ChannelBadge channel={conversation.channel} fontSize="medium" />
        <Box sx={{ minWidth: 0, flex: 1 }}>
          <Typography variant="subtitle1" sx={{ fontWeight: 700 }} noWrap data-testid="thread-title">
            {contactName}
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
      <ConversationControls
        status={conversation.status}
        assigneeId={conversation.assigneeId}
        agents={agents ?? []}
        myId={agentId}
        labels={conversation.labels}
        onAssign={(assigneeId) =>
          change({ type: 'conversation.assign', clientId: newClientId(), conversationId: conversation.id, assigneeId })
        }
        onStatus={(status) =>
          change({ type: 'conversation.setStatus', clientId: newClientId(), conversationId: conversation.id, status })
        }
        onAddLabel={(label) =>
          change({
            type: 'conversation.label',
            clientId: newClientId(),
            conversationId: conversation.id,
            label,
            action: 'add',
          })
        }
        onRemoveLabel={(label) =>
          change({
            type: 'conversation.label',
            clientId: newClientId(),
            conversationId: conversation.id,
            label,
            action: 'remove',
          })
        }
      />
      <Divider />
      <Box
        ref={log}
        sx={{ flex: 1, overflowY: 'auto' }}
        role="log"
        aria-live="polite"
        onScroll={(event) => {
          const element = event.currentTarget;
          atEnd.current = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
          // At the top, ask for older messages while the server may have more.
          if (element.scrollTop < 48 && (history?.hasMore ?? true) && (history?.requestedAt ?? null) === null) {
            void requestHistory(db, conversation.id);
          }
        }}
      >
        <Box sx={{ py: 1 }}>
          {messages !== undefined && messages.length === 0 && (
            <Typography color="text.secondary" sx={{ p: 3 }}>
              {t('thread.noMessages')}
            </Typography>
          )}
          {messages?.map((message) =>
            message.kind === 'system' ? (
              <SystemNotice key={message.id} message={message} />
            ) : (
              <MessageBubble
                key={message.id}
                message={message}
                templateText={templateTextOf(message)}
                quote={quoteOf(message)}
                highlighted={highlightedId === message.id}
                online={online}
                attachments={
                  message.deletedAt === null
                    ? message.attachments.map((attachment) => (
                        <MessageAttachment key={attachment.mediaId} attachment={attachment} caption={message.text} />
                      ))
                    : null
                }
                onReply={() => setReplyToId(message.id)}
                onReact={(emoji) => react(message, emoji)}
              />
            ),
          )}
          <div ref={end} />
        </Box>
      </Box>
      {actionError !== null && (
        <Alert
          severity="error"
          role="alert"
          data-testid="thread-error"
          onClose={() => setActionError(null)}
          sx={{ borderRadius: 0 }}
        >
          {actionError}
        </Alert>
      )}
      {(outbox ?? []).filter(needsAttention).map((row) => (
        <OutboxFailure
          key={row.clientId}
          summary={outboxSummary(row)}
          reason={row.lastError?.message ?? ''}
          code={row.lastError?.code ?? ''}
          failed={row.state === 'failed'}
          onRetry={() => void retryOutbox(db, row.clientId, newClientId())}
          onDiscard={() => void discardOutbox(db, row.clientId)}
        />
      ))}
      <ConversationComposer
        db={db}
        outbox={outbox ?? []}
        conversation={conversation}
        account={account}
        templates={templates}
        actions={actions}
        now={now}
        replyTo={
          replyTarget === undefined
            ? null
            : { messageId: replyTarget.id, author: authorOf(replyTarget), preview: messagePreview(replyTarget) }
        }
        onReplyDone={() => setReplyToId(null)}
      />
    </Box>
  );
}
