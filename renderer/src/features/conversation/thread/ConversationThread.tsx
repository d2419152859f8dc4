import Box from '@mui/material/Box';
import Divider from '@mui/material/Divider';
import type { Agent, Conversation, ConversationPeers, Message, Mutation, Team } from '@parley/protocol';
import {
  memo,
  startTransition,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type JSX,
} from 'react';
import { newClientId } from '../../../common/clientId.js';
import { describeError } from '../../../common/errors.js';
import { useT } from '../../../common/i18n/index.js';
import { useNow } from '../../../common/useNow.js';
import type { OutboxRow, ParleyDb } from '../../../data/db.js';
import { useThreadSurroundings } from '../../../data/hooks.js';
import { nameList, type ActivityNames } from '../messages/activityText.js';
import type { ThreadActions } from '../../../domain/actions.js';
import { useQuotedMessages } from '../../../data/threadQuotes.js';
import { keepOpening } from '../../../data/threadPrefetch.js';
import { useThreadWindow, type ThreadOpening } from '../../../data/threadWindow.js';
import { messagePreview } from '../../../domain/messageView.js';
import { requestHistory } from '../../../sync/history.js';
import { enqueue } from '../../../sync/outbox.js';
import { ConversationComposer } from '../composer/ConversationComposer.js';
import { authorOf, useMessageIndex } from './messageIndex.js';
import { MessageLog } from './MessageLog.js';
import { ThreadControls } from './ThreadControls.js';
import { ThreadHeader } from './ThreadHeader.js';
import { ThreadNotices } from './ThreadNotices.js';
import { useMarkRead } from './useMarkRead.js';

const NO_AGENTS: Agent[] = [];
const NO_TEAMS: Team[] = [];
const NO_OUTBOX: OutboxRow[] = [];

/**
 * One open conversation: its header, its messages in time order, and the composer. Mounted
 * with its first page already read, so its messages show in its first render; the rest
 * (names, templates, the outbox) arrives in one read after.
 */
export const ConversationThread = memo(function ConversationThread({
  db,
  conversation,
  firstPage,
  actions,
  online,
  agentId,
  focus,
  peers,
}: {
  db: ParleyDb;
  conversation: Conversation;
  /** The newest page and the history row, when already read with the conversation. */
  firstPage: Omit<ThreadOpening, 'conversationId' | 'conversation'> | undefined;
  actions: ThreadActions;
  online: boolean;
  agentId: string;
  /** A message to bring into view once it is shown (a search result): a new object asks again. */
  focus: { messageId: string } | null;
  peers: ConversationPeers | undefined;
}): JSX.Element {
  const { t, lang } = useT();
  const surroundings = useThreadSurroundings(db, conversation);
  const threadContact = surroundings?.contact;
  // Read with the first page, so the header names the customer and the inbox in the first
  // frame; once the surroundings are read, theirs (a kept first page may be older).
  const contact = surroundings === undefined ? firstPage?.contact : threadContact?.contact;
  const account = surroundings === undefined ? firstPage?.account : surroundings.account;
  const agents = surroundings?.agents ?? NO_AGENTS;
  const teams = surroundings?.teams ?? NO_TEAMS;
  const templates = surroundings?.templates;
  const outbox = surroundings?.outbox ?? NO_OUTBOX;
  const history = surroundings === undefined ? firstPage?.history : surroundings.history;
  const thread = useThreadWindow(db, conversation.id, history, requestHistory, firstPage?.messages);
  const messages = thread.messages;
  const quoted = useQuotedMessages(db, conversation.id, messages);
  const now = useNow();
  const [replyToId, setReplyToId] = useState<string | null>(null);
  // Why a change could not be saved on this computer: kept as its detail, worded when shown.
  const [actionError, setActionError] = useState<string | null>(null);
  const index = useMessageIndex(messages);
  useMarkRead(db, conversation);
  const [logShown, setLogShown] = useState(false);
  const onLogShown = useCallback(() => setLogShown(true), []);
  const settled = useSettled(logShown);
  // What the thread shows when it closes is kept, so opening it again shows it at once.
  const shown = useRef({ conversation, contact, account, messages, history });
  useLayoutEffect(() => {
    shown.current = { conversation, contact, account, messages, history };
  });
  useEffect(
    () => () => {
      const { conversation: last, messages: read, ...rest } = shown.current;
      if (read !== undefined) keepOpening(db, { conversationId: last.id, conversation: last, messages: read, ...rest });
    },
    [db],
  );
  // The customer's last message the agent has looked at: a reply started after it, then a
  // newer one, holds the send until the agent reviews (someone else may have answered too).
  const [lookedAt, setLookedAt] = useState(() => conversation.lastInboundAt ?? 0);
  // Reviewing brings the first new message into view; a newer search focus wins over it.
  const [reviewFocus, setReviewFocus] = useState<{ messageId: string; over: { messageId: string } | null } | null>(
    null,
  );
  const newSinceLook = (conversation.lastInboundAt ?? 0) > lookedAt;
  const activityNames = useMemo<ActivityNames>(
    () => ({
      agents: new Map(agents.map((agent) => [agent.id, agent.name])),
      teams: new Map(teams.map((team) => [team.id, team.name])),
    }),
    [agents, teams],
  );
  const nameOf = (id: string): string => activityNames.agents.get(id) ?? t('activity.someone');
  const others = (ids: readonly string[] | undefined): string[] =>
    (ids ?? []).filter((id) => id !== agentId).map(nameOf);
  const viewers = others(peers?.viewerIds);
  const typers = others(peers?.typingIds);

  function review(): void {
    const first = messages?.find((message) => message.direction === 'inbound' && message.createdAt > lookedAt);
    setLookedAt(conversation.lastInboundAt ?? 0);
    if (first !== undefined) setReviewFocus({ messageId: first.id, over: focus });
  }

  const contactName = contact?.name ?? '';
  const candidates = threadContact?.candidates ?? [];

  /** Reactions, assignment, status and labels go through the outbox, like a reply: offline too. */
  function change(mutation: Mutation): void {
    setActionError(null);
    void enqueue(db, mutation).catch((error: unknown) => setActionError(describeError(error)));
  }

  function react(message: Message, emoji: string): void {
    change({ type: 'message.react', clientId: newClientId(), messageId: message.id, emoji });
  }

  const replyTarget = replyToId === null ? undefined : index.byId.get(replyToId);
  return (
    <Box sx={{ flex: 1, display: 'flex', flexDirection: 'column', minWidth: 0 }} data-testid="thread">
      <ThreadHeader
        conversation={conversation}
        account={account}
        contact={contact}
        candidates={candidates}
        actions={actions}
        viewers={viewers.length === 0 ? null : { text: nameList(viewers, lang), count: viewers.length }}
        typers={typers.length === 0 ? null : { text: nameList(typers, lang), count: typers.length }}
      />
      {settled && <ThreadControls conversation={conversation} agents={agents} agentId={agentId} onChange={change} />}
      <Divider />
      <MessageLog
        window={thread}
        quoted={quoted}
        templates={templates}
        contactName={contactName}
        online={online}
        focus={reviewFocus !== null && reviewFocus.over === focus ? reviewFocus : focus}
        activityNames={activityNames}
        onReply={(message) => setReplyToId(message.id)}
        onReact={react}
        onShown={onLogShown}
      />
      {settled && (
        <ThreadNotices
          db={db}
          outbox={outbox}
          actionError={actionError === null ? null : t('outbox.notSaved', { detail: actionError })}
          onCloseError={() => setActionError(null)}
        />
      )}
      {settled && (
        <ConversationComposer
          db={db}
          outbox={outbox}
          conversation={conversation}
          account={account}
          templates={templates}
          actions={actions}
          now={now}
          replyTo={
            replyTarget === undefined
              ? null
              : {
                  messageId: replyTarget.id,
                  author: authorOf(replyTarget, contactName, lang),
                  preview: messagePreview(replyTarget, lang),
                }
          }
          onReplyDone={() => setReplyToId(null)}
          newSinceLook={newSinceLook}
          onLook={() => setLookedAt(conversation.lastInboundAt ?? 0)}
          onReview={review}
        />
      )}
    </Box>
  );
});

/** However the log fares, the controls and the composer come by then. */
const SETTLE_AT_LATEST_MS = 1500;

/**
 * Whether the thread's messages have been painted: the controls and the composer (many
 * fields, a textarea that measures itself) mount only then, so the frames until the
 * messages show are spent on them alone. They follow after that paint, as one
 * low-priority render.
 */
function useSettled(ready: boolean): boolean {
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    if (settled) return;
    const timer = setTimeout(() => startTransition(() => setSettled(true)), SETTLE_AT_LATEST_MS);
    return () => clearTimeout(timer);
  }, [settled]);
  useEffect(() => {
    if (!ready || settled) return;
    const settle = (): void => startTransition(() => setSettled(true));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(settle);
    });
    // A window out of sight paints no frames: its thread settles all the same.
    const late = setTimeout(settle, 250);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      clearTimeout(late);
    };
  }, [ready, settled]);
  return settled;
}
