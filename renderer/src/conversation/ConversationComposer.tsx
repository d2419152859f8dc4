import Alert from '@mui/material/Alert';
import type { ChannelAccount, Conversation, MessageContent, Template } from '@parley/protocol';
import { useRef, useState, type JSX } from 'react';
import { t } from '../app/i18n.js';
import { Composer, type ComposerQuote } from '../components/Composer.js';
import { TemplatePicker } from '../components/TemplatePicker.js';
import { WindowBanner } from '../components/WindowBanner.js';
import { useMediaSource } from '../media/source.js';
import { uploadMedia, type UploadedMedia } from '../media/upload.js';
import { newClientId } from '../sync/typing.js';
import type { ThreadActions } from './actions.js';
import { isApproved } from './templates.js';
import { composerMode, isWindowRefusal, windowBanner, type WindowRefusal } from './window.js';

type AttachmentState = { fileName: string; size: number; uploading: boolean; media: UploadedMedia | null };

/** A refusal holds until the customer writes again, which moves `lastInboundAt`. */
type Refusal = { code: WindowRefusal; lastInboundAt: number | null };

/**
 * The bottom of a thread: the window banner and what the window allows — the reply box,
 * the template picker, or nothing. The server has the last word: when it refuses a send
 * because of the window, its words are shown and the composer moves to what is allowed.
 */
export function ConversationComposer({
  conversation,
  account,
  templates,
  actions,
  now,
  replyTo,
  onReplyDone,
}: {
  conversation: Conversation;
  account: ChannelAccount | undefined;
  templates: readonly Template[] | undefined;
  actions: ThreadActions;
  now: number;
  replyTo: (ComposerQuote & { messageId: string }) | null;
  onReplyDone: () => void;
}): JSX.Element {
  const source = useMediaSource();
  const [draft, setDraft] = useState('');
  const [attachment, setAttachment] = useState<AttachmentState | null>(null);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [chosenTemplateId, setChosenTemplateId] = useState<string | null>(null);
  const [parameters, setParameters] = useState<Record<string, string[]>>({});
  const upload = useRef<AbortController | null>(null);
  // After a send that may not have reached the server (offline, timeout), sending the same
  // thing again reuses its client id, so the server can never store the reply twice.
  const retry = useRef<{ clientId: string; fingerprint: string } | null>(null);

  const activeRefusal = refusal !== null && refusal.lastInboundAt === conversation.lastInboundAt ? refusal.code : null;
  const mode = composerMode(conversation, account, now, activeRefusal);
  const banner = windowBanner(mode, now);
  const approved = (templates ?? []).filter(isApproved);
  const selectedTemplateId =
    approved.find((template) => template.id === chosenTemplateId)?.id ?? approved[0]?.id ?? null;
  const templateParameters = selectedTemplateId === null ? [] : (parameters[selectedTemplateId] ?? []);

  async function send(content: MessageContent, humanAgentTag: boolean, quote: string | null): Promise<boolean> {
    setSending(true);
    setError(null);
    const fingerprint = JSON.stringify([conversation.id, content, humanAgentTag, quote]);
    const clientId = retry.current?.fingerprint === fingerprint ? retry.current.clientId : newClientId();
    const result = await actions.mutate({
      type: 'message.send',
      clientId,
      conversationId: conversation.id,
      content,
      replyToMessageId: quote,
      humanAgentTag,
    });
    setSending(false);
    retry.current = !result.ok && result.code === 'internal' ? { clientId, fingerprint } : null;
    if (result.ok) return true;
    setError(result.message);
    if (isWindowRefusal(result.code)) setRefusal({ code: result.code, lastInboundAt: conversation.lastInboundAt });
    return false;
  }

  function sendReply(): void {
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
          setError(result.message);
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
      {error !== null && (
        <Alert
          severity="error"
          role="alert"
          data-testid="composer-error"
          onClose={() => setError(null)}
          sx={{ borderRadius: 0 }}
        >
          {error}
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
