import type { Agent, Team } from '@parley/protocol';
import { Suspense, useCallback, useRef, type JSX } from 'react';
import { useT } from '../common/i18n/index.js';
import type { ParleyDb } from '../data/db.js';
import type { ViewId } from '../domain/views.js';
import type { ListHandle } from '../features/inbox/index.js';
import {
  CommandPalette,
  PaletteTypeAhead,
  ShortcutHelp,
  useGlobalShortcuts,
  type TypedAhead,
} from '../features/palette/index.js';
import type { Screen } from './ScreenTabs.js';
import { useShellCommands } from './useShellCommands.js';

export type Dialog = 'palette' | 'help' | 'settings' | null;

/**
 * The keyboard's layer over the inbox: the commands (actions on the open conversation,
 * the list, the views, the app), their shortcuts, the palette and the help.
 */
export function KeyboardLayer({
  db,
  me,
  role,
  teams,
  dialog,
  setDialog,
  list,
  listRegion,
  setView,
  setScreen,
  toggleContactPanel,
  signOut,
  onOpenConversation,
}: {
  db: ParleyDb;
  me: Agent;
  role: Agent['role'];
  teams: readonly Team[];
  dialog: Dialog;
  setDialog: (dialog: Dialog | ((previous: Dialog) => Dialog)) => void;
  list: () => ListHandle | null;
  listRegion: () => HTMLElement | null;
  setView: (view: ViewId) => void;
  setScreen: (screen: Screen) => void;
  toggleContactPanel: () => void;
  signOut: () => void;
  onOpenConversation: (conversationId: string) => void;
}): JSX.Element {
  const translator = useT();
  const commands = useShellCommands(
    {
      me,
      role,
      teams,
      list,
      setView,
      setScreen,
      togglePalette: () => setDialog((previous) => (previous === 'palette' ? null : 'palette')),
      openHelp: () => setDialog('help'),
      openSettings: () => setDialog('settings'),
      toggleContactPanel,
      signOut,
    },
    translator,
  );
  useGlobalShortcuts(commands, listRegion);
  const typedAheadRef = useRef<TypedAhead>({ text: '', enter: false });
  const close = useCallback(() => setDialog(null), [setDialog]);
  // Each dialog's code loads when the app is idle after the first rows, or when first opened.
  return (
    <>
      {dialog === 'palette' ? (
        <Suspense fallback={<PaletteTypeAhead typedRef={typedAheadRef} onEscape={close} />}>
          <CommandPalette
            open
            onClose={close}
            commands={commands}
            db={db}
            onOpenConversation={onOpenConversation}
            typedAheadRef={typedAheadRef}
          />
        </Suspense>
      ) : null}
      {dialog === 'help' ? (
        <Suspense fallback={null}>
          <ShortcutHelp open onClose={close} commands={commands} />
        </Suspense>
      ) : null}
    </>
  );
}
