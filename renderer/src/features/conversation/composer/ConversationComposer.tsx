import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import type { ChannelAccount, Conversation, MessageContent, Template } from '@parley/protocol';
import { useCallback, useEffect, useMemo, useRef, useState, type JSX } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { failureText } from '../../../common/i18n/failures.js';
import { useT, type Locale, type Translator } from '../../../common/i18n/index.js';
import { Composer, type ComposerMode, type ComposerQuote } from './Composer.js';
import { ModeToggle } from './ModeToggle.js';
import { isNoteShortcut, mentionsInText, withSignature, type Mention } from './composerText.js';
import { TemplatePicker } from './TemplatePicker.js';
import { useComposerDraft } from './useComposerDraft.js';
import { WindowBanner } from './WindowBanner.js';
import { useMediaSource } from '../../../platform/media.js';
import { uploadMedia, type UploadedMedia, type UploadFailure } from '../../../platform/upload.js';
import type { OutboxRow, ParleyDb } from '../../../data/db.js';
import { resolveContactIn } from '../../../data/contacts.js';
import { useAgents } from '../../../data/hooks.js';
import { useCannedResponses } from '../../cannedResponses/index.js';
import { useSettings } from '../../settings/index.js';
import { enqueue } from '../../../sync/outbox.js';
import { newClientId } from '../../../common/clientId.js';
import type { ThreadActions } from '../../../domain/actions.js';
import { isApproved } from '../../../domain/templates.js';
import { composerMode, windowBanner, windowRefusalOf } from '../../../domain/window.js';

type AttachmentState = { fileName: string; size: number; uploading: boolean; media: UploadedMedia | null };

/** What went wrong in the composer, kept as data and worded when shown. */
type ComposerError =
  | { kind: 'notSaved'; detail: string }
  | { kind: 'upload'; failure: UploadFailure }
  | { kind: 'noteNoFiles' }
  | { kind: 'oneFile'; fileName: string };

function composerErrorText(error: ComposerError, t: Translator['t'], lang: Locale): string {
  if (error.kind === 'notSaved') return t('outbox.notSaved', { detail: error.detail });
  if (error.kind === 'noteNoFiles') return t('composer.noteNoFilesError');
  if (error.kind === 'oneFile') return t('composer.oneFileOnly', { name: error.fileName });
  const { failure } = error;
  if (failure.code === 'unreachable') return t('composer.uploadUnreachable');
  if (failure.reason === undefined && typeof failure.params?.status === 'number') {
    return t('composer.uploadFailed', { status: failure.params.status });
  }
  return failureText(failure, lang);
}

/**
 * The signed-in agent's id when the thread does not pass it: each agent has their own
 * database, named `parley:<server origin>:<agent id>` (data/db.ts `databaseName`).
 */
function agentIdOf(db: ParleyDb): string {
  return db.name.slice(db.name.lastIndexOf(':') + 1);
}

/**
 * The bottom of a thread: a reply or a private note. A reply follows the messaging window
 * — the reply box, the template picker, or nothing — and the server has the last word:
 * when it refuses a send because of the window, its words are shown and the composer moves
 * to what is allowed. A note is always allowed: only the team sees it. What the agent is
 * writing is kept as this conversation's draft, on this device, until it is sent.
 */
export function ConversationComposer({
  db,
  outbox,
  conversation,
  account,
  templates,
  actions,
  now,
  replyTo,
  onReplyDone,
  newSinceLook,
  onLook,
  onReview,
  agentId: givenAgentId,
}: {
  db: ParleyDb;
  /** This conversation's outbox rows: a refused reply moves the composer to what is allowed. */
  outbox: readonly OutboxRow[];
  conversation: Conversation;
  account: ChannelAccount | undefined;
  templates: readonly Template[] | undefined;
  actions: ThreadActions;
  now: number;
  replyTo: (ComposerQuote & { messageId: string }) | null;
  onReplyDone: () => void;
  /** The customer wrote since the agent last looked: sending waits until they review or insist. */
  newSinceLook: boolean;
  /** The agent starts a reply: what is in the thread now counts as seen. */
  onLook: () => void;
  /** Brings the new messages into view and counts them as seen. */
  onReview: () => void;
  /** The signed-in agent; read from the database when not given. */
  agentId?: string;
}): JSX.Element {
  const { t, lang } = useT();
  const source = useMediaSource();
  const agentId = givenAgentId ?? agentIdOf(db);
  const settings = useSettings();
  const agents = useAgents(db);
  const canned = useCannedResponses(db, agentId);
  const contact = useLiveQuery(() => resolveContactIn(db, conversation.contactId), [db, conversation.contactId]);
  const me = agents?.find((agent) => agent.id === agentId);
  const { text: draft, mode, mentionIds, write, changeMode: keepMode, sent } = useComposerDraft(db, conversation.id);
  const [attachment, setAttachment] = useState<AttachmentState | null>(null);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<ComposerError | null>(null);
  const [chosenTemplateId, setChosenTemplateId] = useState<string | null>(null);
  const [parameters, setParameters] = useState<Record<string, string[]>>({});
  const upload = useRef<AbortController | null>(null);
  // A send held because the customer wrote meanwhile: it goes on "Send anyway".
  const [held, setHeld] = useState<(() => void) | null>(null);
  const picked = useMemo<Mention[]>(
    () =>
      mentionIds.flatMap((id) => {
        const agent = agents?.find((candidate) => candidate.id === id);
        return agent === undefined ? [] : [{ id, name: agent.name }];
      }),
    [mentionIds, agents],
  );

  const changeMode = useCallback(
    (next: ComposerMode) => {
      keepMode(next);
      setError(null);
    },
    [keepMode],
  );

  // Ctrl+Alt+N (⌘⌥N on a Mac) switches between a reply and a note, wherever the focus is;
  // not in a conversation on its way out (its pane is inert while the chosen one opens).
  const area = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!isNoteShortcut(event) || (area.current?.closest('[inert]') ?? null) !== null) return;
      event.preventDefault();
      changeMode(mode === 'note' ? 'reply' : 'note');
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [changeMode, mode]);

  function guarded(action: () => void): void {
    if (newSinceLook) {
      setHeld(() => action);
      return;
    }
    action();
  }

  const activeRefusal = windowRefusalOf(outbox, conversation.lastInboundAt);
  const windowMode = composerMode(conversation, account, now, activeRefusal);
  const banner = windowBanner(windowMode, now, lang);
  const approved = (templates ?? []).filter(isApproved);
  const selectedTemplateId =
    approved.find((template) => template.id === chosenTemplateId)?.id ?? approved[0]?.id ?? null;
  const templateParameters = selectedTemplateId === null ? [] : (parameters[selectedTemplateId] ?? []);
  const signature = settings.useSignature && settings.signature.trim() !== '' ? settings.signature.trim() : null;
  // A file sent alone carries no caption, so no signature either.
  const signatureShown = signature !== null && (attachment === null || draft.trim() !== '') ? signature : null;

  /**
   * Writes the reply to the outbox with its optimistic message; the sync engine sends it
   * when online (the same client id on every resend, so it is stored once). A refusal
   * comes back on the outbox row and is shown in the thread.
   */
  async function send(content: MessageContent, humanAgentTag: boolean, quote: string | null): Promise<boolean> {
    setSending(true);
    setError(null);
    try {
      await enqueue(
        db,
        {
          type: 'message.send',
          clientId: newClientId(),
          conversationId: conversation.id,
          content,
          replyToMessageId: quote,
          humanAgentTag,
        },
        { agentId },
      );
      return true;
    } catch (failure: unknown) {
      setError({ kind: 'notSaved', detail: failure instanceof Error ? failure.message : String(failure) });
      return false;
    } finally {
      setSending(false);
    }
  }

  function sendReply(): void {
    guarded(sendReplyNow);
  }

  function sendReplyNow(): void {
    if (sending || attachment?.uploading === true) return;
    const typed = draft.trim();
    const text = typed === '' ? '' : withSignature(typed, signature);
    const media = attachment?.media ?? null;
    const content: MessageContent | null =
      media !== null
        ? { kind: 'media', mediaId: media.mediaId, caption: text === '' ? null : text }
        : text === ''
          ? null
          : { kind: 'text', text };
    if (content === null) return;
    const typedNow = draft;
    void send(content, windowMode.kind === 'human_agent', replyTo?.messageId ?? null).then((ok) => {
      if (!ok) return;
      sent(typedNow);
      setAttachment(null);
      onReplyDone();
    });
  }

  /** A private note: only the team sees it; the colleagues still named in it are told. */
  function sendNote(): void {
    const typedNow = draft;
    const text = typedNow.trim();
    if (sending || text === '') return;
    setSending(true);
    setError(null);
    const mentions = mentionsInText(text, picked);
    enqueue(
      db,
      { type: 'message.note', clientId: newClientId(), conversationId: conversation.id, text, mentions },
      { agentId },
    )
      .then(
        () => sent(typedNow),
        (failure: unknown) =>
          setError({ kind: 'notSaved', detail: failure instanceof Error ? failure.message : String(failure) }),
      )
      .finally(() => setSending(false));
  }

  function sendTemplate(): void {
    guarded(sendTemplateNow);
  }

  function sendTemplateNow(): void {
    if (sending || selectedTemplateId === null) return;
    void send({ kind: 'template', templateId: selectedTemplateId, parameters: templateParameters }, false, null).then(
      (ok) => {
        if (ok) setParameters((current) => ({ ...current, [selectedTemplateId]: [] }));
      },
    );
  }

  const attach = useCallback(
    (file: File, more: boolean) => {
      if (mode === 'note') {
        setError({ kind: 'noteNoFiles' });
        return;
      }
      upload.current?.abort();
      const controller = new AbortController();
      upload.current = controller;
      setError(more ? { kind: 'oneFile', fileName: file.name } : null);
      setAttachment({ fileName: file.name, size: file.size, uploading: true, media: null });
      uploadMedia(source, file, conversation.id, controller.signal).then(
        (result) => {
          if (controller.signal.aborted) return;
          if (result.ok) {
            setAttachment({
              fileName: result.media.fileName ?? file.name,
              size: result.media.size,
              uploading: false,
              media: result.media,
            });
          } else {
            setAttachment(null);
            setError({ kind: 'upload', failure: result });
          }
        },
        () => {
          if (!controller.signal.aborted) setAttachment(null);
        },
      );
    },
    [mode, source, conversation.id],
  );

  function removeAttachment(): void {
    upload.current?.abort();
    upload.current = null;
    setAttachment(null);
  }

  const note = mode === 'note';
  const variables = { contactName: contact?.name ?? '', agentName: me?.name ?? '' };

  function changeText(text: string, mentioned: Mention | null): void {
    // Starting a reply: the agent has the thread as it is now in front of them.
    if (!note && draft.trim() === '' && text.trim() !== '') onLook();
    write(text, mentionsInText(text, mentioned === null ? picked : [...picked, mentioned]));
    // The customer is told someone is typing a reply, never a note.
    if (!note && text.trim() !== '') actions.typing(conversation.id);
  }

  const box = (
    <Composer
      mode={mode}
      draft={draft}
      onDraftChange={changeText}
      onSend={note ? sendNote : sendReply}
      canSend={draft.trim() !== '' || (!note && (attachment?.media ?? null) !== null)}
      sending={sending}
      attachment={note ? null : attachment}
      onAttach={attach}
      onRemoveAttachment={removeAttachment}
      replyTo={replyTo}
      onCancelReply={onReplyDone}
      humanAgent={windowMode.kind === 'human_agent'}
      signature={note ? null : signatureShown}
      canned={canned ?? []}
      colleagues={agents ?? []}
      agentId={agentId}
      variables={variables}
    />
  );

  return (
    <>
      {!note && <WindowBanner mode={windowMode.kind} banner={banner} />}
      {held !== null && newSinceLook && !note && (
        <Alert
          severity="warning"
          role="alert"
          data-testid="new-messages-hold"
          sx={{ borderRadius: 0 }}
          action={
            <>
              <Button
                color="inherit"
                size="small"
                onClick={() => {
                  setHeld(null);
                  onReview();
                }}
                data-testid="hold-review"
              >
                {t('collision.review')}
              </Button>
              <Button
                color="inherit"
                size="small"
                onClick={() => {
                  const action = held;
                  setHeld(null);
                  onLook();
                  action();
                }}
                data-testid="hold-send-anyway"
              >
                {t('collision.sendAnyway')}
              </Button>
            </>
          }
        >
          {t('collision.newMessages')}
        </Alert>
      )}
      {error !== null && (
        <Alert
          severity="error"
          role="alert"
          data-testid="composer-error"
          onClose={() => setError(null)}
          sx={{ borderRadius: 0 }}
        >
          {composerErrorText(error, t, lang)}
        </Alert>
      )}
      <Box
        ref={area}
        data-testid="composer-area"
        data-mode={mode}
        sx={{
          bgcolor: note ? 'thread.note' : 'background.paper',
          borderTop: 3,
          borderColor: note ? 'warning.main' : 'transparent',
        }}
      >
        <ModeToggle mode={mode} onChange={changeMode} />
        {note ? (
          box
        ) : windowMode.kind === 'template' ? (
          // Until the cache has answered, "no templates" would be a false statement.
          templates === undefined ? null : (
            <TemplatePicker
              templates={approved}
              emptyText={t(account === undefined ? 'template.noAccount' : 'template.none')}
              selectedId={selectedTemplateId}
              onSelect={setChosenTemplateId}
              parameters={templateParameters}
              onParameterChange={(index, value) => {
                if (selectedTemplateId === null) return;
                setParameters((current) => {
                  const next = [...(current[selectedTemplateId] ?? [])];
                  next[index] = value;
                  return { ...current, [selectedTemplateId]: next };
                });
              }}
              onSend={sendTemplate}
              sending={sending}
            />
          )
        ) : windowMode.kind === 'read_only' ? null : (
          box
        )}
      </Box>
    </>
  );
}
