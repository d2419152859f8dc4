import Alert from '@mui/material/Alert';
import Snackbar from '@mui/material/Snackbar';
import type { Agent, ConversationStatus, Mutation } from '@parley/protocol';
import { createContext, use, useCallback, useMemo, useRef, useState, type JSX, type ReactNode } from 'react';
import { newClientId } from '../../../common/clientId.js';
import { describeError } from '../../../common/errors.js';
import { useT } from '../../../common/i18n/index.js';
import type { ParleyDb } from '../../../data/db.js';
import { useAgents, useConversation } from '../../../data/hooks.js';
import { enqueue } from '../../../sync/outbox.js';
import { assignableAgents, type ConversationActionsApi, type PickerKind } from './actionCommands.js';
import { AssignPicker, LabelPicker, SnoozePicker } from './Pickers.js';

type ActionsContextValue = ConversationActionsApi & {
  /** The controls' buttons, where a picker opened by keyboard appears. */
  registerAnchor: (kind: PickerKind, element: HTMLElement | null) => void;
};

const ActionsContext = createContext<ActionsContextValue | null>(null);

/** The open conversation's actions, for the controls, the palette and the shortcuts; null outside the provider. */
export function useConversationActions(): ActionsContextValue | null {
  return use(ActionsContext);
}

/**
 * Where the composer is found: its text field and its note toggle. Never in an inert pane:
 * that is the conversation on its way out, while the chosen one opens.
 */
const COMPOSER_INPUT = '[data-testid="composer-input"]:not([inert] *)';
const COMPOSER_NOTE_TOGGLE = '[data-testid="mode-note"]:not([inert] *)';
const COMPOSER_REPLY_TOGGLE = '[data-testid="mode-reply"]:not([inert] *)';

function focusComposerField(mode: 'reply' | 'note'): void {
  const toggle = document.querySelector<HTMLElement>(mode === 'note' ? COMPOSER_NOTE_TOGGLE : COMPOSER_REPLY_TOGGLE);
  if (toggle !== null && toggle.getAttribute('aria-pressed') !== 'true') toggle.click();
  // The toggle may render the field again: look for it once that is done.
  requestAnimationFrame(() => document.querySelector<HTMLElement>(COMPOSER_INPUT)?.focus());
}

/**
 * Holds the actions on the open conversation and the pickers they open (whom to assign,
 * which labels, until when), mounted once by the frame so the controls, the command
 * palette and the keyboard share them. Every change is written to the outbox with its
 * optimistic effect, so it shows at once and waits for the server when offline.
 */
export function ConversationActionsProvider({
  db,
  me,
  conversationId,
  children,
}: {
  db: ParleyDb;
  me: Agent;
  conversationId: string | null;
  children: ReactNode;
}): JSX.Element {
  const { t } = useT();
  // The live read answers for the conversation chosen before until it has read the new one:
  // acting on that answer would change the conversation being left.
  const live = useConversation(db, conversationId);
  const conversation = live !== undefined && live.id === conversationId ? live : null;
  const agents = useAgents(db);
  // A picker belongs to the conversation it was opened on: choosing another closes it.
  const [picker, setPicker] = useState<{ kind: PickerKind; anchor: HTMLElement | null; conversationId: string } | null>(
    null,
  );
  if (picker !== null && picker.conversationId !== conversationId) setPicker(null);
  const [failure, setFailure] = useState<string | null>(null);
  const anchors = useRef(new Map<PickerKind, HTMLElement>());
  const id = conversationId;

  const write = useCallback(
    (mutation: Mutation) => {
      void enqueue(db, mutation, { agentId: me.id }).catch((error: unknown) => setFailure(describeError(error)));
    },
    [db, me.id],
  );

  const api = useMemo<ActionsContextValue>(() => {
    const on = (make: (conversationId: string) => Mutation) => (): void => {
      if (id !== null) write(make(id));
    };
    return {
      conversationId: id,
      conversation,
      me,
      assign: (assigneeId) =>
        on((conversationId) => ({
          type: 'conversation.assign',
          clientId: newClientId(),
          conversationId,
          assigneeId,
        }))(),
      setStatus: (status: ConversationStatus) =>
        on((conversationId) => ({ type: 'conversation.setStatus', clientId: newClientId(), conversationId, status }))(),
      snooze: (until) =>
        on((conversationId) => ({ type: 'conversation.snooze', clientId: newClientId(), conversationId, until }))(),
      addLabel: (label) =>
        on((conversationId) => ({
          type: 'conversation.label',
          clientId: newClientId(),
          conversationId,
          label,
          action: 'add',
        }))(),
      removeLabel: (label) =>
        on((conversationId) => ({
          type: 'conversation.label',
          clientId: newClientId(),
          conversationId,
          label,
          action: 'remove',
        }))(),
      markUnread: on((conversationId) => ({
        type: 'conversation.markUnread',
        clientId: newClientId(),
        conversationId,
      })),
      openPicker: (kind, anchor) => {
        if (id === null) return;
        setPicker({ kind, anchor: anchor ?? anchors.current.get(kind) ?? null, conversationId: id });
      },
      focusComposer: focusComposerField,
      registerAnchor: (kind, element) => {
        if (element === null) anchors.current.delete(kind);
        else anchors.current.set(kind, element);
      },
    };
  }, [conversation, me, id, write]);

  const close = (): void => {
    // Back where the agent was: the picker's button, or the page.
    setPicker(null);
  };
  const colleagues = useMemo(
    () => (me.role === 'agent' ? [] : assignableAgents(agents ?? [], conversation, me.id)),
    [agents, conversation, me],
  );

  return (
    <ActionsContext value={api}>
      {children}
      {conversation !== null && picker?.kind === 'assign' ? (
        <AssignPicker
          anchor={picker.anchor}
          assigneeId={conversation.assigneeId}
          myId={me.id}
          colleagues={colleagues}
          onAssign={(assigneeId) => {
            close();
            if (assigneeId !== conversation.assigneeId) api.assign(assigneeId);
          }}
          onClose={close}
        />
      ) : null}
      {conversation !== null && picker?.kind === 'label' ? (
        <LabelPicker
          db={db}
          anchor={picker.anchor}
          labels={conversation.labels}
          onToggle={(label) => (conversation.labels.includes(label) ? api.removeLabel(label) : api.addLabel(label))}
          onClose={close}
        />
      ) : null}
      {conversation !== null && picker?.kind === 'snooze' ? (
        <SnoozePicker
          anchor={picker.anchor}
          onSnooze={(until) => {
            close();
            api.snooze(until);
          }}
          onClose={close}
        />
      ) : null}
      <Snackbar open={failure !== null} onClose={() => setFailure(null)} autoHideDuration={8000}>
        <Alert severity="error" variant="filled" role="alert" onClose={() => setFailure(null)}>
          {failure === null ? '' : t('actions.failed', { detail: failure })}
        </Alert>
      </Snackbar>
    </ActionsContext>
  );
}
