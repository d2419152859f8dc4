import { useCallback, useRef, useState } from 'react';
import type { Agent } from '@parley/protocol';
import { messagePreview } from '../../domain/messageView.js';
import { resolveContactIn } from '../../data/contacts.js';
import type { ParleyDb } from '../../data/db.js';
import type { Desktop } from '../../platform/desktop.js';
import type { Arrivals } from '../../sync/engine.js';
import { currentLocale, t, tn, type Locale } from '../../common/i18n/index.js';
import { getSettings } from '../settings/index.js';
import {
  DIGEST_TAG,
  isSilent,
  kindWanted,
  messageKind,
  planNotifications,
  shouldNotify,
  shouldNotifyDigest,
  type Digest,
  type NotifyContext,
} from './policy.js';

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

/** What the policy needs to know of this moment: the settings, the time, what is on screen. */
export function notifyContext(selectedId: string | null): NotifyContext {
  return {
    preferences: getSettings().notifications,
    now: new Date(),
    focused: typeof document !== 'undefined' && document.hasFocus(),
    onScreen: selectedId,
  };
}

/**
 * Tells the agent about customers' messages, as `policy.ts` decides: one notification each
 * while they work (in their conversations, and in their teams' queue if they asked), quiet
 * for the conversation on screen and in the do-not-disturb hours; after an absence (or a
 * burst) one digest, in the app and as a single notification, instead of a flood.
 */
export function useAnnouncements(
  desktop: Desktop,
  agent: Agent,
  selectedId: string | null,
  select: (conversationId: string) => void,
): { onArrivals: (db: ParleyDb, arrivals: Arrivals) => void; summary: Summary | null; dismissSummary: () => void } {
  const [summary, setSummary] = useState<Summary | null>(null);
  const digest = useRef<Digest | null>(null);

  const onArrivals = useCallback(
    (db: ParleyDb, arrivals: Arrivals) => {
      void (async () => {
        const ids = [...new Set(arrivals.messages.map((message) => message.conversationId))];
        const conversations = new Map(
          (await db.conversations.bulkGet(ids)).flatMap((conversation) =>
            conversation === undefined ? [] : [[conversation.id, conversation] as const],
          ),
        );
        const context = notifyContext(selectedId);
        const items = arrivals.messages.flatMap((message) => {
          const conversation = conversations.get(message.conversationId);
          const kind = messageKind(conversation, agent);
          if (kind === null || !kindWanted(kind, context.preferences)) return [];
          return [{ id: message.id, conversationId: message.conversationId, message, kind }];
        });
        const plan = planNotifications(arrivals.during, items, digest.current, context.now.getTime());
        if (plan.kind === 'digest') {
          digest.current = plan.digest;
          const told = { messages: plan.digest.messageIds.size, conversations: plan.digest.conversationIds.size };
          setSummary(told);
          if (shouldNotifyDigest(context)) {
            desktop.notify({
              title: t('arrivals.summaryTitle'),
              body: summaryText(told),
              // The same tag: a later digest of the same absence replaces this one.
              tag: DIGEST_TAG,
              conversationId: null,
              silent: isSilent(context.preferences),
              onClick: () => undefined,
            });
          }
          return;
        }
        if (plan.kind !== 'each') return;
        for (const { message, kind } of plan.items) {
          if (!shouldNotify(kind, message.conversationId, context)) continue;
          const conversation = conversations.get(message.conversationId);
          const contact = await resolveContactIn(db, conversation?.contactId);
          const name = contact?.name.trim() ?? '';
          desktop.notify({
            title: name === '' ? t('arrivals.newMessageUnnamed') : t('arrivals.newMessage', { name }),
            body: messagePreview(message),
            // One notification a conversation: a newer message replaces the older one.
            tag: `parley:${message.conversationId}`,
            conversationId: message.conversationId,
            silent: isSilent(context.preferences),
            onClick: () => select(message.conversationId),
          });
        }
      })().catch((error: unknown) => console.error('Parley: could not announce new messages', error));
    },
    [desktop, agent, selectedId, select],
  );

  const dismissSummary = useCallback(() => {
    digest.current = null;
    setSummary(null);
  }, []);
  return { onArrivals, summary, dismissSummary };
}
