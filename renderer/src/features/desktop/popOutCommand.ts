import type { Command } from '../../common/commands.js';
import type { MessageKey } from '../../common/i18n/index.js';
import { openConversationWindow } from '../../platform/desktop.js';

/** Its shortcut; the desktop app's View menu shows it and presses it. */
export const POP_OUT_SHORTCUT = 'mod+shift+o';

/** "Open conversation in new window", for the palette and the keyboard; disabled with none open. */
export function popOutCommand(
  conversationId: string | null,
  t: (key: MessageKey) => string,
  open: (conversationId: string) => void = openConversationWindow,
): Command {
  return {
    id: 'conversation.popOut',
    title: t('desktop.popOut.command'),
    group: 'conversation',
    shortcut: POP_OUT_SHORTCUT,
    whileTyping: true,
    keywords: [t('desktop.popOut.keywords')],
    disabled: conversationId === null,
    run: () => {
      if (conversationId !== null) open(conversationId);
    },
  };
}
