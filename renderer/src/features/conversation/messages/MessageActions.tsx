import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** Material's reply arrow, drawn inline: one per message, so no icon component each time. */
const REPLY_PATH = 'M10 9V5l-7 7 7 7v-4.1c5 0 8.5 1.6 11 5.1-1-5-4-10-11-11z';

/**
 * The actions shown beside a message on hover or keyboard focus: reply, and a few common
 * reactions. Picking the reaction the business already gave removes it. Plain buttons
 * styled by the thread's one stylesheet (MessageStyles): every bubble has them.
 */
export function MessageActions({
  ownReaction,
  onReply,
  onReact,
}: {
  ownReaction: string | null;
  onReply: () => void;
  onReact: (emoji: string) => void;
}): JSX.Element {
  const { t } = useT();
  const reply = t('message.reply');
  return (
    <div className="pl-msg-actions message-actions" data-testid="message-actions">
      <button type="button" className="pl-msg-action" aria-label={reply} title={reply} onClick={onReply}>
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path d={REPLY_PATH} />
        </svg>
      </button>
      {QUICK_REACTIONS.map((emoji) => (
        <button
          key={emoji}
          type="button"
          className="pl-msg-action"
          aria-label={t('message.react', { emoji })}
          aria-pressed={ownReaction === emoji}
          onClick={() => onReact(ownReaction === emoji ? '' : emoji)}
        >
          {emoji}
        </button>
      ))}
    </div>
  );
}
