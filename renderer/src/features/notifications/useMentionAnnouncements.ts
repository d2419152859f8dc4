import type { Agent } from '@parley/protocol';
import { liveQuery } from 'dexie';
import { useEffect, useRef } from 'react';
import { t } from '../../common/i18n/index.js';
import type { ParleyDb } from '../../data/db.js';
import type { Desktop } from '../../platform/desktop.js';
import { getSettings } from '../settings/index.js';
import { mentionsToAnnounce, notePreview } from './mentions.js';

/**
 * Tells the agent when a colleague mentions them in a note, as a system notification,
 * unless they turned mention notifications off or are looking at that conversation. Their
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
    const subscription = liveQuery(() => db.messages.where('mentions').equals(agent.id).toArray()).subscribe({
      next: (notes) => {
        const news = mentionsToAnnounce(notes, agent.id, seen, since);
        for (const note of notes) seen.add(note.id);
        if (!getSettings().notifications.mentions) return;
        void announce(news);
      },
      error: (error: unknown) => console.error('Parley: could not follow mentions', error),
    });

    async function announce(notes: ReturnType<typeof mentionsToAnnounce>): Promise<void> {
      for (const note of notes) {
        const { selectedId: open, select: choose } = current.current;
        if (typeof document !== 'undefined' && document.hasFocus() && open === note.conversationId) continue;
        const author = note.authorAgentId === null ? undefined : await db.agents.get(note.authorAgentId);
        desktop.notify({
          title:
            author === undefined ? t('mention.notifyTitleUnnamed') : t('mention.notifyTitle', { name: author.name }),
          body: notePreview(note.text),
          tag: `parley:mention:${note.id}`,
          onClick: () => choose(note.conversationId),
        });
      }
    }

    return () => subscription.unsubscribe();
  }, [db, desktop, agent.id]);
}
