import type { JSX } from 'react';
import { useT, type Translator } from '../../../common/i18n/index.js';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** Material's reply arrow, drawn inline: one per message, so no icon component each time. */
const REPLY_PATH = 'M10 9V5l-7 7 7 7v-4.1c5 0 8.5 1.6 11 5.1-1-5-4-10-11-11z';

type ActionLabels = { reply: string; react: readonly string[] };

/** The buttons' names, made once per language rather than seven times for every message shown. */
const labelsByTranslator = new WeakMap<Translator, ActionLabels>();

function actionLabels(translator: Translator): ActionLabels {
  let labels = labelsByTranslator.get(translator);
  if (labels === undefined) {
    labels = {
      reply: translator.t('message.reply'),
      react: QUICK_REACTIONS.map((emoji) => translator.t('message.react', { emoji })),
    };
    labelsByTranslator.set(translator, labels);
  }
  return labels;
}

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
  const labels = actionLabels(useT());
  const reply = labels.reply;
  return (
    <div className="pl-msg-actions message-actions" data-testid="message-actions">
      <button type="button" className="pl-msg-action" aria-label={reply} title={reply} onClick={onReply}>
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path d={REPLY_PATH} />
        </svg>
      </button>
      {QUICK_REACTIONS.map((emoji, at) => (
        <button
          key={emoji}
          type="button"
          className="pl-msg-action"
          aria-label={labels.react[at]}
          aria-pressed={ownReaction === emoji}
          onClick={() => onReact(ownReaction === emoji ? '' : emoji)}
        >
          {emoji}
        </button>
      ))}
    </div>
  );
}
