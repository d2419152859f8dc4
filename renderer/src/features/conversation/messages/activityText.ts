import type { Activity } from '@parley/protocol';
import { t, type Locale } from '../../../common/i18n/index.js';

/** Names to word an activity with: agents' and teams' names by id, as the cache knows them. */
export type ActivityNames = {
  agents: ReadonlyMap<string, string>;
  teams: ReadonlyMap<string, string>;
};

/**
 * What happened to a conversation, in a sentence with people's names: who assigned it to
 * whom and why, who changed its status, who moved it to which team. A note to the new
 * assignee is worded apart (`activityNote`). Nobody (null) is Parley itself.
 */
export function activityText(activity: Activity, names: ActivityNames, lang: Locale): string {
  const agent = (id: string | null): string =>
    id === null ? t('activity.parley', {}, lang) : (names.agents.get(id) ?? t('activity.someone', {}, lang));
  const by = agent(activity.byAgentId);
  switch (activity.type) {
    case 'assignment': {
      const from = agent(activity.fromAgentId);
      const to = agent(activity.toAgentId);
      switch (activity.reason) {
        case 'take':
          return t('activity.took', { to }, lang);
        case 'auto':
          return t('activity.auto', { to }, lang);
        case 'offline':
          return t('activity.offline', { from }, lang);
        case 'deactivated':
          return t('activity.deactivated', { from }, lang);
        case 'api':
          return activity.toAgentId === null
            ? t('activity.apiUnassigned', { by }, lang)
            : t('activity.api', { by, to }, lang);
        case 'manual':
          if (activity.toAgentId === null) return t('activity.unassigned', { by }, lang);
          if (activity.fromAgentId === null) return t('activity.assigned', { by, to }, lang);
          return t('activity.reassigned', { by, from, to }, lang);
      }
      break;
    }
    case 'status':
      return t(
        'activity.status',
        { by, to: t(`conversation.status.${activity.to}`, {}, lang).toLocaleLowerCase(lang) },
        lang,
      );
    case 'team': {
      const team = (id: string | null): string =>
        id === null ? t('activity.noTeam', {}, lang) : (names.teams.get(id) ?? t('activity.someone', {}, lang));
      return t('activity.team', { by, from: team(activity.fromTeamId), to: team(activity.toTeamId) }, lang);
    }
  }
  return '';
}

/** The note that came with an assignment, or null. */
export function activityNote(activity: Activity, lang: Locale): string | null {
  if (activity.type !== 'assignment' || activity.note === null || activity.note.trim() === '') return null;
  return t('activity.note', { note: activity.note.trim() }, lang);
}

/** Names in a list as the language says them: "Ana, Ben and Chloé". */
export function nameList(names: readonly string[], lang: Locale): string {
  return new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' }).format(names);
}
