import type { Agent, Team } from '@parley/protocol';
import { useMemo } from 'react';
import type { Translator } from '../../common/i18n/index.js';
import { useT } from '../../common/i18n/index.js';
import { useConversationIndex } from '../../data/conversationIndex.js';
import type { ParleyDb } from '../../data/db.js';
import { useTeams } from '../../data/hooks.js';
import { countViews, viewKey, viewsFor, type ViewId } from '../../domain/views.js';

/** One view as the list and the palette offer it: its words, and its count (null while still counting). */
export type InboxView = { view: ViewId; key: string; label: string; count: number | null };

/** A view's name in the agent's language; a team by its name. */
export function viewLabel(view: ViewId, teams: ReadonlyMap<string, Team>, t: Translator['t']): string {
  if (view.kind === 'team') return teams.get(view.teamId)?.name ?? t('inbox.view.team');
  return t(`inbox.view.${view.kind}`);
}

/** The views this agent is offered, in order, each with its count, kept current. */
export function useInboxViews(db: ParleyDb, me: Agent): InboxView[] {
  const { t } = useT();
  const { index, version } = useConversationIndex(db, me.id);
  const teamList = useTeams(db);
  const teamKey = me.teamIds.join(',');
  const views = useMemo(
    () => viewsFor({ id: me.id, role: me.role, teamIds: teamKey === '' ? [] : teamKey.split(',') }),
    [me.id, me.role, teamKey],
  );
  const counts = useMemo(() => {
    // `version` changes whenever the conversations do: the counts follow.
    void version;
    if (!index.complete) return null;
    return countViews(index.conversations.values(), views, {
      viewer: { id: me.id, role: me.role, teamIds: me.teamIds },
      mentioned: index.mentioned,
    });
  }, [index, version, views, me.id, me.role, me.teamIds]);
  return useMemo(() => {
    const teams = new Map((teamList ?? []).map((team) => [team.id, team]));
    return views.map((view) => {
      const key = viewKey(view);
      return { view, key, label: viewLabel(view, teams, t), count: counts?.get(key) ?? null };
    });
  }, [views, counts, teamList, t]);
}
