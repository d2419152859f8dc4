import type { Agent, Presence, Result } from '@parley/protocol';
import { liveQuery } from 'dexie';
import { useEffect, useRef } from 'react';
import { t, tn } from '../../common/i18n/index.js';
import { resolveContactIn } from '../../data/contacts.js';
import type { ParleyDb } from '../../data/db.js';
import type { Desktop } from '../../platform/desktop.js';
import { useSettings } from '../settings/index.js';
import { isSilent, shouldNotify } from './policy.js';
import { notifyContext } from './useAnnouncements.js';

/** More conversations assigned at once than this are told in one notification. */
const MAX_SINGLE_ASSIGNMENTS = 3;

/**
 * The unread count the badge shows: my conversations (assigned to me, not resolved) with
 * at least one unread message. What an agent owes answers to, not every unread message of
 * the team's queue. Read by the `assigneeId` index: only my conversations are visited.
 */
export function unreadMineCount(db: ParleyDb, agentId: string): Promise<number> {
  return db.conversations
    .where('assigneeId')
    .equals(agentId)
    .filter((conversation) => conversation.status !== 'resolved' && conversation.unreadCount > 0)
    .count();
}

/**
 * What the desktop shell and the page tell each other beyond the notifications of
 * messages and mentions: the unread count (dock, taskbar, launcher, tray), the agent's
 * presence both ways (the tray's switch and the operating system's idle, lock and sleep
 * ask for one; the page reports what the server holds), the shell's settings, and a
 * notification when a conversation is given to the agent. In a browser only the
 * assignment notifications do anything.
 */
export function useDesktopShell({
  db,
  desktop,
  agent,
  presence,
  setPresence,
  selectedId,
  select,
}: {
  db: ParleyDb;
  desktop: Desktop;
  agent: Agent;
  /** The presence the server holds for the agent (their row in the cache). */
  presence: Presence;
  /** The page's own way of setting it (the sync engine's `setPresence`). */
  setPresence: (presence: 'online' | 'away') => Promise<Result>;
  selectedId: string | null;
  select: (conversationId: string) => void;
}): void {
  const current = useRef({ setPresence, selectedId, select });
  useEffect(() => {
    current.current = { setPresence, selectedId, select };
  }, [setPresence, selectedId, select]);

  // The count on the dock, the taskbar, the launcher and the tray.
  useEffect(() => {
    const subscription = liveQuery(() => unreadMineCount(db, agent.id)).subscribe({
      next: (count) => desktop.setBadge(count),
      error: (error: unknown) => console.error('Parley: could not count unread conversations', error),
    });
    return () => {
      subscription.unsubscribe();
      desktop.setBadge(0);
    };
  }, [db, desktop, agent.id]);

  // Presence: the shell hears what the server holds, and may ask for another.
  useEffect(() => desktop.reportPresence(presence), [desktop, presence]);
  useEffect(
    () =>
      desktop.on('presence:set', ({ presence: wanted, reason }) => {
        void current.current.setPresence(wanted).then((result) => {
          if (!result.ok) console.warn(`Parley: the presence asked for (${reason}) was refused`, result.code);
        });
      }),
    [desktop],
  );

  // The shell's settings, kept by the main process for its next start.
  const { closeToTray, idleMinutes } = useSettings().desktop;
  useEffect(() => desktop.setShellPreferences({ closeToTray, idleMinutes }), [desktop, closeToTray, idleMinutes]);

  // A conversation given to the agent since the app opened.
  useEffect(() => {
    let known: Set<string> | null = null;
    const subscription = liveQuery(() => db.conversations.where('assigneeId').equals(agent.id).primaryKeys()).subscribe(
      {
        next: (keys) => {
          const now = new Set(keys.map(String));
          const before = known;
          known = now;
          // The first answer is what was already there: not news.
          if (before === null) return;
          const added = [...now].filter((id) => !before.has(id));
          // Many at once (a catch-up after being offline, a supervisor's bulk move): one notice.
          if (added.length > MAX_SINGLE_ASSIGNMENTS) announceMany(added);
          else for (const id of added) void announce(id);
        },
        error: (error: unknown) => console.error('Parley: could not follow assignments', error),
      },
    );

    function announceMany(conversationIds: readonly string[]): void {
      const context = notifyContext(current.current.selectedId);
      const told = conversationIds.filter((id) => shouldNotify('assignment', id, context));
      if (told.length === 0) return;
      desktop.notify({
        title: tn('settings.notifications.assigned.many', told.length),
        body: t('settings.notifications.assigned.manyBody'),
        tag: 'parley:assigned',
        conversationId: null,
        silent: isSilent(context.preferences),
        onClick: () => undefined,
      });
    }

    async function announce(conversationId: string): Promise<void> {
      const { selectedId: open, select: choose } = current.current;
      const context = notifyContext(open);
      // Taking the conversation on screen is the agent's own doing: quiet, as the policy says.
      if (!shouldNotify('assignment', conversationId, context)) return;
      const conversation = await db.conversations.get(conversationId);
      if (conversation === undefined || conversation.status === 'resolved') return;
      const contact = await resolveContactIn(db, conversation.contactId);
      const name = contact?.name.trim() ?? '';
      desktop.notify({
        title: t('settings.notifications.assigned.title'),
        body: name === '' ? t('settings.notifications.assigned.unnamed') : name,
        // Its own tag: a message notification of the same conversation does not replace it.
        tag: `parley:assigned:${conversationId}`,
        conversationId,
        silent: isSilent(context.preferences),
        onClick: () => choose(conversationId),
      });
    }

    return () => subscription.unsubscribe();
  }, [db, desktop, agent.id]);
}
