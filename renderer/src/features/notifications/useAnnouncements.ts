import { useCallback, useState } from 'react';
import type { Agent } from '@parley/protocol';
import { messagePreview } from '../../domain/messageView.js';
import { resolveContactIn } from '../../data/contacts.js';
import type { ParleyDb } from '../../data/db.js';
import type { Desktop } from '../../platform/desktop.js';
import type { Arrivals } from '../../sync/engine.js';
import { currentLocale, t, tn, type Locale } from '../../common/i18n/index.js';
import { announcementFor } from './announcementFor.js';

export type Summary = { messages: number; conversations: number };

/** "14 new messages in 6 conversations". */
export function summaryText(summary: Summary, lang: Locale = currentLocale()): string {
  return t(
    'arrivals.summary',
    {
      messages: tn('count.newMessages', summary.messages, {}, lang),
      conversations: tn('count.conversations', summary.conversations, {}, lang),
    },
    lang,
  );
}

/**
 * Tells the agent about customers' messages: one system notification each while they work,
 * unless they are looking at that very conversation, and after an absence one summary, in
 * the app and as a single notification, instead of a flood.
 */
export function useAnnouncements(
  desktop: Desktop,
  agent: Agent,
  selectedId: string | null,
  select: (conversationId: string) => void,
): { onArrivals: (db: ParleyDb, arrivals: Arrivals) => void; summary: Summary | null; dismissSummary: () => void } {
  const [summary, setSummary] = useState<Summary | null>(null);

  const onArrivals = useCallback(
    (db: ParleyDb, arrivals: Arrivals) => {
      void (async () => {
        const plan = await announcementFor(db, agent.id, arrivals);
        const watching = typeof document !== 'undefined' && document.hasFocus();
        if (plan.kind === 'summary') {
          setSummary({ messages: plan.messages, conversations: plan.conversations });
          if (!watching) {
            desktop.notify({
              title: t('arrivals.summaryTitle'),
              body: summaryText(plan),
              tag: 'parley:summary',
              onClick: () => undefined,
            });
          }
          return;
        }
        if (plan.kind !== 'each') return;
        for (const message of plan.messages) {
          if (watching && selectedId === message.conversationId) continue;
          const conversation = await db.conversations.get(message.conversationId);
          const contact = await resolveContactIn(db, conversation?.contactId);
          const name = contact?.name.trim() ?? '';
          desktop.notify({
            title: name === '' ? t('arrivals.newMessageUnnamed') : t('arrivals.newMessage', { name }),
            body: messagePreview(message),
            // One notification a conversation: a newer message replaces the older one.
            tag: `parley:${message.conversationId}`,
            onClick: () => select(message.conversationId),
          });
        }
      })().catch((error: unknown) => console.error('Parley: could not announce new messages', error));
    },
    [desktop, agent.id, selectedId, select],
  );

  const dismissSummary = useCallback(() => setSummary(null), []);
  return { onArrivals, summary, dismissSummary };
}
