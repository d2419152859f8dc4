import { useColorScheme } from '@mui/material/styles';
import type { Agent, AgentRole, Team } from '@parley/protocol';
import { useMemo } from 'react';
import type { Command } from '../common/commands.js';
import type { Translator } from '../common/i18n/index.js';
import { conversationCommands, useConversationActions } from '../features/conversation/index.js';
import type { ListHandle } from '../features/inbox/index.js';
import type { ViewId } from '../domain/views.js';
import { updateSettings } from '../features/settings/index.js';
import { popOutCommand } from '../features/desktop/index.js';
import type { Screen } from './ScreenTabs.js';
import { screensFor } from './ScreenTabs.js';

export type ShellControls = {
  me: Agent;
  role: AgentRole;
  teams: readonly Team[];
  list: () => ListHandle | null;
  setView: (view: ViewId) => void;
  setScreen: (screen: Screen) => void;
  togglePalette: () => void;
  openHelp: () => void;
  openSettings: () => void;
  toggleContactPanel: () => void;
  signOut: () => void;
};

/** Every command of the app, described once for the palette, the keyboard and the help. */
export function useShellCommands(controls: ShellControls, { t }: Translator): Command[] {
  const actions = useConversationActions();
  const { mode, systemMode } = useColorScheme();
  const dark = (mode === 'system' ? systemMode : mode) === 'dark';
  const {
    me,
    role,
    teams,
    list,
    setView,
    setScreen,
    togglePalette,
    openHelp,
    openSettings,
    toggleContactPanel,
    signOut,
  } = controls;

  return useMemo(() => {
    const inList = (run: (handle: ListHandle) => void) => (): void => {
      setScreen('inbox');
      const handle = list();
      if (handle !== null) run(handle);
    };
    const go = (view: ViewId) => (): void => {
      setScreen('inbox');
      setView(view);
    };
    const viewCommand = (kind: 'mine' | 'unassigned' | 'all' | 'mentions' | 'snoozed', shortcut: string): Command => ({
      id: `view.${kind}`,
      title: t(`palette.view.${kind}` as 'palette.view.mine'),
      group: 'views',
      shortcut,
      run: go({ kind }),
    });
    const supervises = role !== 'agent';
    const myTeams = teams.filter((team) => me.teamIds.includes(team.id) || supervises);
    const commands: Command[] = [
      ...(actions === null ? [] : conversationCommands(actions, t)),
      popOutCommand(actions?.conversation?.id ?? null, t),
      {
        id: 'list.next',
        title: t('palette.list.next'),
        group: 'navigation',
        shortcut: 'j',
        moreShortcuts: ['arrowdown'],
        run: inList((handle) => handle.move(1)),
      },
      {
        id: 'list.previous',
        title: t('palette.list.previous'),
        group: 'navigation',
        shortcut: 'k',
        moreShortcuts: ['arrowup'],
        run: inList((handle) => handle.move(-1)),
      },
      {
        id: 'list.open',
        title: t('palette.list.open'),
        group: 'navigation',
        shortcut: 'enter',
        run: inList((handle) => handle.openCurrent()),
      },
      {
        id: 'list.focus',
        title: t('palette.list.focus'),
        group: 'navigation',
        shortcut: 'escape',
        whileTyping: true,
        run: inList((handle) => {
          if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
          handle.focus();
        }),
      },
      {
        id: 'search.messages',
        title: t('palette.search'),
        group: 'navigation',
        shortcut: '/',
        keywords: [t('palette.keywords.search')],
        run: inList((handle) => handle.focusSearch()),
      },
      {
        id: 'palette.open',
        title: t('palette.open'),
        group: 'navigation',
        shortcut: 'mod+k',
        whileTyping: true,
        run: togglePalette,
      },
      { id: 'help.open', title: t('palette.help.open'), group: 'navigation', shortcut: '?', run: openHelp },
      viewCommand('mine', 'g i'),
      viewCommand('unassigned', 'g u'),
      ...myTeams.map<Command>((team) => ({
        id: `view.team:${team.id}`,
        title: t('palette.view.team', { name: team.name }),
        group: 'views',
        keywords: [team.name],
        run: go({ kind: 'team', teamId: team.id }),
      })),
      ...(supervises ? [viewCommand('all', 'g a')] : []),
      viewCommand('mentions', 'g m'),
      viewCommand('snoozed', 'g s'),
      ...screensFor(role)
        .filter((screen) => screen !== 'inbox')
        .map<Command>((screen) => ({
          id: `screen.${screen}`,
          title: t(`palette.screen.${screen}` as 'palette.screen.supervisor'),
          group: 'views',
          run: () => setScreen(screen),
        })),
      {
        id: 'contactPanel.toggle',
        title: t('palette.contactPanel'),
        group: 'app',
        shortcut: 'shift+c',
        run: toggleContactPanel,
      },
      {
        id: 'settings.open',
        title: t('palette.settings'),
        group: 'app',
        shortcut: 'mod+,',
        whileTyping: true,
        keywords: [t('palette.keywords.settings')],
        run: openSettings,
      },
      {
        id: 'theme.toggle',
        title: dark ? t('palette.theme.light') : t('palette.theme.dark'),
        group: 'app',
        keywords: [t('palette.keywords.theme')],
        run: () => updateSettings((previous) => ({ ...previous, theme: dark ? 'light' : 'dark' })),
      },
      { id: 'signOut', title: t('menu.signOut'), group: 'app', run: signOut },
    ];
    return commands;
  }, [
    actions,
    t,
    dark,
    me,
    role,
    teams,
    list,
    setView,
    setScreen,
    togglePalette,
    openHelp,
    openSettings,
    toggleContactPanel,
    signOut,
  ]);
}
