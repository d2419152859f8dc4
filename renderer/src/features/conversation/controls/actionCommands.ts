import type { Agent, Conversation, ConversationStatus } from '@parley/protocol';
import type { Command } from '../../../common/commands.js';
import type { MessageKey } from '../../../common/i18n/index.js';

/** The pickers an action opens: whom to assign, which labels, until when. */
export type PickerKind = 'assign' | 'label' | 'snooze';

/** What can be done to the open conversation; every change is an outbox mutation. */
export type ConversationActionsApi = {
  /** The conversation chosen: the actions act on it, also in the moments before it is read. */
  conversationId: string | null;
  /** The chosen conversation as read from the cache; null until then. */
  conversation: Conversation | null;
  me: Agent;
  assign: (assigneeId: string | null) => void;
  setStatus: (status: ConversationStatus) => void;
  snooze: (until: number) => void;
  addLabel: (label: string) => void;
  removeLabel: (label: string) => void;
  markUnread: () => void;
  /** Opens a picker beside `anchor`, or beside its button in the controls when there is none. */
  openPicker: (kind: PickerKind, anchor?: HTMLElement | null) => void;
  /** Puts the cursor in the composer, writing a reply or a private note. */
  focusComposer: (mode: 'reply' | 'note') => void;
};

/** Each action's shortcut, shown in its tooltip, its menu, the palette and the help. */
export const ACTION_SHORTCUTS = {
  assignToMe: 'i',
  assign: 'a',
  resolve: 'e',
  reopen: 'o',
  pending: 'p',
  snooze: 'z',
  label: 'l',
  markUnread: 'u',
  reply: 'r',
  note: 'n',
} as const;

export type ActionId = keyof typeof ACTION_SHORTCUTS;

const TITLES: Record<ActionId, MessageKey> = {
  assignToMe: 'actions.assignToMe',
  assign: 'actions.assign',
  resolve: 'actions.resolve',
  reopen: 'actions.reopen',
  pending: 'actions.pending',
  snooze: 'actions.snooze',
  label: 'actions.label',
  markUnread: 'actions.markUnread',
  reply: 'actions.reply',
  note: 'actions.note',
};

const KEYWORDS: Record<ActionId, MessageKey> = {
  assignToMe: 'actions.keywords.assignToMe',
  assign: 'actions.keywords.assign',
  resolve: 'actions.keywords.resolve',
  reopen: 'actions.keywords.reopen',
  pending: 'actions.keywords.pending',
  snooze: 'actions.keywords.snooze',
  label: 'actions.keywords.label',
  markUnread: 'actions.keywords.markUnread',
  reply: 'actions.keywords.reply',
  note: 'actions.keywords.note',
};

/**
 * The open conversation's actions as commands. With no conversation open they are all
 * disabled; an action that would change nothing (resolving a resolved one) is too, once the
 * conversation is read.
 */
export function conversationCommands(api: ConversationActionsApi, t: (key: MessageKey) => string): Command[] {
  const conversation = api.conversation;
  // Chosen but not read yet: enabled, since what they would change is not known.
  const none = api.conversationId === null;
  const status = conversation?.status;
  const disabled: Record<ActionId, boolean> = {
    assignToMe: none || conversation?.assigneeId === api.me.id,
    assign: none,
    resolve: none || status === 'resolved',
    reopen: none || status === 'open',
    pending: none || status === 'pending',
    snooze: none,
    label: none,
    markUnread: none,
    reply: none,
    note: none,
  };
  const run: Record<ActionId, () => void> = {
    assignToMe: () => api.assign(api.me.id),
    assign: () => api.openPicker('assign'),
    resolve: () => api.setStatus('resolved'),
    reopen: () => api.setStatus('open'),
    pending: () => api.setStatus('pending'),
    snooze: () => api.openPicker('snooze'),
    label: () => api.openPicker('label'),
    markUnread: () => api.markUnread(),
    reply: () => api.focusComposer('reply'),
    note: () => api.focusComposer('note'),
  };
  return (Object.keys(ACTION_SHORTCUTS) as ActionId[]).map((id) => ({
    id: `conversation.${id}`,
    title: t(TITLES[id]),
    group: 'conversation',
    shortcut: ACTION_SHORTCUTS[id],
    ...(id === 'reply' ? { moreShortcuts: ['c'] } : {}),
    keywords: t(KEYWORDS[id]).split(','),
    disabled: disabled[id],
    run: run[id],
  }));
}

/** The colleagues who can work a conversation: active people, in its team (any team's for supervisors and admins). */
export function assignableAgents(agents: readonly Agent[], conversation: Conversation | null, myId: string): Agent[] {
  return agents
    .filter((agent) => agent.active && agent.kind === 'person' && agent.id !== myId)
    .filter(
      (agent) =>
        conversation === null ||
        conversation.teamId === null ||
        agent.role !== 'agent' ||
        agent.teamIds.includes(conversation.teamId),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}
