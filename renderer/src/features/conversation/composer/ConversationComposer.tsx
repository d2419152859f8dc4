import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import type { ChannelAccount, Conversation, MessageContent, Template } from '@parley/protocol';
import { useRef, useState, type JSX } from 'react';
import { failureText } from '../../../common/i18n/failures.js';
import { useT, type Locale, type Translator } from '../../../common/i18n/index.js';
import { Composer, type ComposerQuote } from './Composer.js';
import { TemplatePicker } from './TemplatePicker.js';
import { WindowBanner } from './WindowBanner.js';
import { useMediaSource } from '../../../platform/media.js';
import { uploadMedia, type UploadedMedia, type UploadFailure } from '../../../platform/upload.js';
import type { OutboxRow, ParleyDb } from '../../../data/db.js';
import { enqueue } from '../../../sync/outbox.js';
import { newClientId } from '../../../common/clientId.js';
import type { ThreadActions } from '../../../domain/actions.js';
import { isApproved } from '../../../domain/templates.js';
import { composerMode, windowBanner, windowRefusalOf } from '../../../domain/window.js';

type AttachmentState = { fileName: string; size: number; uploading: boolean; media: UploadedMedia | null };

/** What went wrong in the composer, kept as data and worded when shown. */
type ComposerError = { kind: 'notSaved'; detail: string } | { kind: 'upload'; failure: UploadFailure };

function composerErrorText(error: ComposerError, t: Translator['t'], lang: Locale): string {
  if (error.kind === 'notSaved') return t('outbox.notSaved', { detail: error.detail });
  const { failure } = error;
  if (failure.code === 'unreachable') return t('composer.uploadUnreachable');
  if (failure.reason === undefined && typeof failure.params?.status === 'number') {
    return t('composer.uploadFailed', { status: failure.params.status });
  }
  return failureText(failure, lang);
}

/**
 * The bottom of a thread: the window banner and what the window allows — the reply box,
 * the template picker, or nothing. The server has the last word: when it refuses a send
 * because of the window, its words are shown and the composer moves to what is allowed.
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
}): JSX.Element {
  const { t, lang } = useT();
  const source = useMediaSource();
  const [draft, setDraft] = useState('');
  const [attachment, setAttachment] = useState<AttachmentState | null>(null);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<ComposerError | null>(null);
  const [chosenTemplateId, setChosenTemplateId] = useState<string | null>(null);
  const [parameters, setParameters] = useState<Record<string, string[]>>({});
  const upload = useRef<AbortController | null>(null);
  // A send held because the customer wrote meanwhile: it goes on "Send anyway".
  const [held, setHeld] = useState<(() => void) | null>(null);

  function guarded(action: () => void): void {
    if (newSinceLook) {
      setHeld(() => action);
      return;
    }
    action();
  }

  const activeRefusal = windowRefusalOf(outbox, conversation.lastInboundAt);
  const mode = composerMode(conversation, account, now, activeRefusal);
  const banner = windowBanner(mode, now, lang);
  const approved = (templates ?? []).filter(isApproved);
  const selectedTemplateId =
    approved.find((template) => template.id === chosenTemplateId)?.id ?? approved[0]?.id ?? null;
  const templateParameters = selectedTemplateId === null ? [] : (parameters[selectedTemplateId] ?? []);

  /**
   * Writes the reply to the outbox with its optimistic message; the sync engine sends it
   * when online (the same client id on every resend, so it is stored once). A refusal
   * comes back on the outbox row and is shown in the thread.
   */
  async function send(content: MessageContent, humanAgentTag: boolean, quote: string | null): Promise<boolean> {
    setSending(true);
    setError(null);
    try {
      await enqueue(db, {
        type: 'message.send',
        clientId: newClientId(),
        conversationId: conversation.id,
        content,
        replyToMessageId: quote,
        humanAgentTag,
      });
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
    const text = draft.trim();
    const media = attachment?.media ?? null;
    const content: MessageContent | null =
      media !== null
        ? { kind: 'media', mediaId: media.mediaId, caption: text === '' ? null : text }
        : text === ''
          ? null
          : { kind: 'text', text };
    if (content === null) return;
    void send(content, mode.kind === 'human_agent', replyTo?.messageId ?? null).then((sent) => {
      if (!sent) return;
      setDraft('');
      setAttachment(null);
      onReplyDone();
    });
  }

  function sendTemplate(): void {
    guarded(sendTemplateNow);
  }

  function sendTemplateNow(): void {
    if (sending || selectedTemplateId === null) return;
    void send({ kind: 'template', templateId: selectedTemplateId, parameters: templateParameters }, false, null).then(
      (sent) => {
        if (sent) setParameters((current) => ({ ...current, [selectedTemplateId]: [] }));
      },
    );
  }

  function attach(file: File): void {
    upload.current?.abort();
    const controller = new AbortController();
    upload.current = controller;
    setError(null);
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
  }

  function removeAttachment(): void {
    upload.current?.abort();
    upload.current = null;
    setAttachment(null);
  }

  return (
    <>
      <WindowBanner mode={mode.kind} banner={banner} />
      {held !== null && newSinceLook && (
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
      {mode.kind === 'template' ? (
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
      ) : mode.kind === 'read_only' ? null : (
        <Composer
          draft={draft}
          onDraftChange={(text) => {
            // Starting a reply: the agent has the thread as it is now in front of them.
            if (draft.trim() === '' && text.trim() !== '') onLook();
            setDraft(text);
            if (text.trim() !== '') actions.typing(conversation.id);
          }}
          onSend={sendReply}
          canSend={draft.trim() !== '' || (attachment?.media ?? null) !== null}
          sending={sending}
          attachment={attachment}
          onAttach={attach}
          onRemoveAttachment={removeAttachment}
          replyTo={replyTo}
          onCancelReply={onReplyDone}
          humanAgent={mode.kind === 'human_agent'}
        />
      )}
    </>
  );
}
