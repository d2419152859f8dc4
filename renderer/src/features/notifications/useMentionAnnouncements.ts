import type { Agent } from '@parley/protocol';
import { useEffect, useRef } from 'react';
import { t } from '../../common/i18n/index.js';
import type { ParleyDb } from '../../data/db.js';
import { watchTables } from '../../data/tableQuery.js';
import type { Desktop } from '../../platform/desktop.js';
import { mentionsToAnnounce, notePreview } from './mentions.js';
import { isSilent, shouldNotify } from './policy.js';
import { notifyContext } from './useAnnouncements.js';

/**
 * Tells the agent when a colleague mentions them in a note, as a system notification,
 * unless they turned mention notifications off, are looking at that conversation or are in
 * their do-not-disturb hours (`policy.ts`). Their
 * own notes never notify them. Reads the notes that mention them by the `mentions` index,
 * so it wakes only when such a note is written.
 */
export function useMentionAnnouncements(
  db: ParleyDb,
  desktop: Desktop,
  agent: Agent,
  selectedId: string | null,
  select: (conversationId: string) => void,
): void {
  // The latest view and callback, read when a note arrives (the subscription outlives renders).
  const current = useRef({ selectedId, select });
  useEffect(() => {
    current.current = { selectedId, select };
  }, [selectedId, select]);

  useEffect(() => {
    const since = Date.now();
    const seen = new Set<string>();
    // Read again at each change to the messages, not through a live query: one that lives all
    // day would keep the key of every message written meanwhile (data/tableQuery.ts).
    const stop = watchTables(
      db,
      ['messages'],
      () => db.messages.where('mentions').equals(agent.id).toArray(),
      (notes) => {
        const news = mentionsToAnnounce(notes, agent.id, seen, since);
        for (const note of notes) seen.add(note.id);
        void announce(news);
      },
    );

    async function announce(notes: ReturnType<typeof mentionsToAnnounce>): Promise<void> {
      for (const note of notes) {
        const { selectedId: open, select: choose } = current.current;
        const context = notifyContext(open);
        if (!shouldNotify('mention', note.conversationId, context)) continue;
        const author = note.authorAgentId === null ? undefined : await db.agents.get(note.authorAgentId);
        desktop.notify({
          title:
            author === undefined ? t('mention.notifyTitleUnnamed') : t('mention.notifyTitle', { name: author.name }),
          body: notePreview(note.text),
          tag: `parley:mention:${note.id}`,
          conversationId: note.conversationId,
          silent: isSilent(context.preferences),
          onClick: () => choose(note.conversationId),
        });
      }
    }

    return stop;
  }, [db, desktop, agent.id]);
}
