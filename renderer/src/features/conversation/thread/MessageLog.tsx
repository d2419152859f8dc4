import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { Message, Template } from '@parley/protocol';
import { useEffect, useRef, useState, type JSX, type ReactNode } from 'react';
import { useT } from '../../../common/i18n/index.js';
import type { HistoryRow, ParleyDb } from '../../../data/db.js';
import { messagePreview } from '../../../domain/messageView.js';
import { filledTemplateText } from '../../../domain/templates.js';
import { requestHistory } from '../../../sync/history.js';
import { MessageAttachment } from '../messages/MessageAttachment.js';
import { MessageBubble } from '../messages/MessageBubble.js';
import { QuotedMessage } from '../messages/QuotedMessage.js';
import { SystemNotice } from '../messages/SystemNotice.js';
import { ActivityLine } from '../messages/ActivityLine.js';
import type { ActivityNames } from '../messages/activityText.js';
import { authorOf, quotedIn, type MessageIndex } from './messageIndex.js';

const HIGHLIGHT_MS = 1600;

/**
 * The messages in time order, scrolled: it follows the end while the agent is there, asks
 * for older messages at the top, and brings a focused or quoted message into view.
 */
export function MessageLog({
  db,
  conversationId,
  messages,
  index,
  history,
  templates,
  contactName,
  online,
  focus,
  activityNames,
  onReply,
  onReact,
}: {
  db: ParleyDb;
  conversationId: string;
  messages: Message[] | undefined;
  index: MessageIndex;
  history: HistoryRow | undefined;
  templates: Template[] | undefined;
  contactName: string;
  online: boolean;
  /** A message to bring into view once it is shown (a search result): a new object asks again. */
  focus: { messageId: string } | null;
  /** Agents' and teams' names, for the activity lines. */
  activityNames: ActivityNames;
  onReply: (message: Message) => void;
  onReact: (message: Message, emoji: string) => void;
}): JSX.Element {
  const { t, lang } = useT();
  const [highlightedId, setHighlightedId] = useState<string | null>(null);
  const log = useRef<HTMLDivElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const highlightTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

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

  function scrollTo(messageId: string): void {
    const element = log.current?.querySelector(`[data-message-id="${CSS.escape(messageId)}"]`);
    element?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    setHighlightedId(messageId);
    clearTimeout(highlightTimer.current);
    highlightTimer.current = setTimeout(() => setHighlightedId(null), HIGHLIGHT_MS);
  }

  function quoteOf(message: Message): ReactNode {
    const ref = message.replyTo;
    // A reply to an Instagram story has no message to quote: the bubble says so itself.
    if (ref === null || (ref.messageId === null && ref.externalId === null)) return null;
    const target = quotedIn(index, message);
    return (
      <QuotedMessage
        author={target === undefined ? null : authorOf(target, contactName, lang)}
        preview={target === undefined ? null : messagePreview(target, lang)}
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

  return (
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
          void requestHistory(db, conversationId);
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
          ) : message.kind === 'activity' ? (
            <ActivityLine key={message.id} message={message} names={activityNames} />
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
              onReply={() => onReply(message)}
              onReact={(emoji) => onReact(message, emoji)}
            />
          ),
        )}
        <div ref={end} />
      </Box>
    </Box>
  );
}
