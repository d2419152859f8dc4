import type { Message, Template } from '@parley/protocol';
import { memo, type JSX, type ReactNode } from 'react';
import { useT, type Locale, type Translator } from '../../../common/i18n/index.js';
import { messagePreview } from '../../../domain/messageView.js';
import { filledTemplateText } from '../../../domain/templates.js';
import { ActivityLine } from '../messages/ActivityLine.js';
import { MessageAttachment } from '../messages/MessageAttachment.js';
import { MessageBubble } from '../messages/MessageBubble.js';
import { NoteCard } from '../messages/NoteCard.js';
import { QuotedMessage } from '../messages/QuotedMessage.js';
import { SystemNotice } from '../messages/SystemNotice.js';
import { authorOf } from './messageIndex.js';
import { sameRow, type RowContext, type RowProps } from './rowContext.js';
import { dayLabel } from './threadItems.js';

function DaySeparator({ day, now }: { day: number; now: number }): JSX.Element {
  const { lang } = useT();
  return (
    <div className="pl-day" data-testid="day-separator">
      <h3 className="pl-day-label">{dayLabel(day, now, lang)}</h3>
    </div>
  );
}

/** One row of the thread: a day, a message, a note or an activity line. */
export const ThreadRow = memo(function ThreadRow({ item, now, highlighted, context }: RowProps): JSX.Element {
  const { t, lang } = useT();
  if (item.kind === 'day') return <DaySeparator day={item.day} now={now} />;
  const message = item.message;
  const { activityNames } = context;
  if (message.kind === 'system') return <SystemNotice message={message} />;
  if (message.kind === 'activity') return <ActivityLine message={message} names={activityNames} />;
  if (message.kind === 'note') {
    return (
      <NoteCard
        message={message}
        author={
          message.authorAgentId === null
            ? t('thread.you')
            : (activityNames.agents.get(message.authorAgentId) ?? t('thread.you'))
        }
        mentionNames={message.mentions.flatMap((id) => {
          const name = activityNames.agents.get(id);
          return name === undefined ? [] : [name];
        })}
        highlighted={highlighted}
      />
    );
  }
  return (
    <MessageBubble
      message={message}
      templateText={templateTextOf(message, context.templates)}
      quote={quoteOf(message, context, t, lang)}
      highlighted={highlighted}
      online={context.online}
      attachments={
        message.deletedAt === null
          ? message.attachments.map((attachment) => (
              <MessageAttachment key={attachment.mediaId} attachment={attachment} caption={message.text} />
            ))
          : null
      }
      onReply={() => context.onReply(message)}
      onReact={(emoji) => context.onReact(message, emoji)}
    />
  );
}, sameRow);

function quoteOf(message: Message, context: RowContext, t: Translator['t'], lang: Locale): ReactNode {
  const ref = message.replyTo;
  // A reply to an Instagram story has no message to quote: the bubble says so itself.
  if (ref === null || (ref.messageId === null && ref.externalId === null)) return null;
  const { quoted, contactName, hasOlder, jumpTo } = context;
  const target =
    (ref.messageId === null ? undefined : quoted?.byId.get(ref.messageId)) ??
    (ref.externalId === null ? undefined : quoted?.byExternalId.get(ref.externalId));
  return (
    <QuotedMessage
      author={target === undefined ? null : authorOf(target, contactName, lang)}
      preview={target === undefined ? null : messagePreview(target, lang)}
      missing={hasOlder ? t('thread.quoteOlder') : null}
      onOpen={
        target !== undefined
          ? () => jumpTo({ messageId: target.id, externalId: target.externalId })
          : hasOlder
            ? () => jumpTo({ messageId: ref.messageId, externalId: ref.externalId })
            : null
      }
    />
  );
}

function templateTextOf(message: Message, templates: Template[] | undefined): string | null {
  const sent = message.template;
  if (sent === null || message.text !== null) return null;
  const template =
    templates?.find((candidate) => candidate.name === sent.name && candidate.language === sent.language) ??
    templates?.find((candidate) => candidate.name === sent.name);
  return template === undefined ? sent.parameters.join(' · ') : filledTemplateText(template, sent.parameters);
}
