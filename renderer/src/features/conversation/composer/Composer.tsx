import AttachFileIcon from '@mui/icons-material/AttachFile';
import CancelIcon from '@mui/icons-material/Cancel';
import FileUploadOutlinedIcon from '@mui/icons-material/FileUploadOutlined';
import InsertDriveFileOutlinedIcon from '@mui/icons-material/InsertDriveFileOutlined';
import ReplyIcon from '@mui/icons-material/Reply';
import SendIcon from '@mui/icons-material/Send';
import SupportAgentIcon from '@mui/icons-material/SupportAgent';
import Avatar from '@mui/material/Avatar';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import IconButton from '@mui/material/IconButton';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { Agent, CannedResponse } from '@parley/protocol';
import {
  useEffect,
  useId,
  useRef,
  useState,
  type ChangeEvent,
  type ClipboardEvent,
  type JSX,
  type KeyboardEvent,
  type SyntheticEvent,
} from 'react';
import { useT, fileSize } from '../../../common/i18n/index.js';
import {
  fillVariables,
  filterCanned,
  filterColleagues,
  mentionText,
  replaceTrigger,
  triggerAt,
  type CannedVariables,
  type Mention,
  type Trigger,
  unfilledVariables,
} from './composerText.js';
import { EmojiButton } from './EmojiButton.js';
import { SuggestionList, type Suggestion } from './SuggestionList.js';
import { useThreadFileDrop } from './useThreadFileDrop.js';

export type ComposerAttachment = { fileName: string; size: number; uploading: boolean };
export type ComposerQuote = { author: string; preview: string };
export type ComposerMode = 'reply' | 'note';

/** The text grows with what is typed, up to six lines, then scrolls (MUI's line height is 1.4375em). */
const REPLY_FIELD = { '& textarea': { fieldSizing: 'content', maxHeight: `${6 * 1.4375}em`, overflowY: 'auto' } };
const NOTE_FIELD = { ...REPLY_FIELD, '& .MuiOutlinedInput-notchedOutline': { borderColor: 'warning.main' } };

/**
 * The reply box, or the private note box: Enter sends, Shift+Enter starts a new line.
 * `/` opens the canned responses and, in a note, `@` the colleagues to mention; the emoji
 * button inserts at the caret. Files come by the button, by dropping them on the thread,
 * or by pasting an image. Shows the quoted message and the attached file as chips above
 * the text, and the signature that will go under a reply.
 */
export function Composer({
  mode,
  draft,
  onDraftChange,
  onSend,
  canSend,
  sending,
  attachment,
  onAttach,
  onRemoveAttachment,
  replyTo,
  onCancelReply,
  humanAgent,
  signature,
  canned,
  colleagues,
  agentId,
  variables,
}: {
  mode: ComposerMode;
  draft: string;
  /** The text changed; `mentioned`: a colleague was just picked with @. */
  onDraftChange: (text: string, mentioned: Mention | null) => void;
  onSend: () => void;
  canSend: boolean;
  sending: boolean;
  attachment: ComposerAttachment | null;
  /** A file the agent attached; `more` when they gave several at once (one goes). */
  onAttach: (file: File, more: boolean) => void;
  onRemoveAttachment: () => void;
  replyTo: ComposerQuote | null;
  onCancelReply: () => void;
  humanAgent: boolean;
  /** What will be added under the reply, shown before it leaves; null: nothing. */
  signature: string | null;
  canned: readonly CannedResponse[];
  colleagues: readonly Agent[];
  agentId: string;
  variables: CannedVariables;
}): JSX.Element {
  const { t, lang } = useT();
  const note = mode === 'note';
  const fileInput = useRef<HTMLInputElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const listId = useId();
  const [caret, setCaret] = useState(draft.length);
  const [active, setActive] = useState(0);
  // The trigger the agent closed with Escape: it stays closed until they type another.
  const [dismissed, setDismissed] = useState<number | null>(null);
  // The caret to put back once React has rendered a text changed by a pick.
  const pendingCaret = useRef<number | null>(null);

  const trigger = triggerAt(draft, Math.min(caret, draft.length), note);
  const open = trigger !== null && trigger.start !== dismissed;
  const cannedMatches = open && trigger.kind === 'canned' ? filterCanned(canned, trigger.query, agentId) : [];
  const colleagueMatches =
    open && trigger.kind === 'mention' ? filterColleagues(colleagues, trigger.query, agentId) : [];
  const suggestions: Suggestion[] =
    trigger?.kind === 'canned'
      ? cannedMatches.map((response) => ({
          id: response.id,
          primary: `/${response.shortcut}${response.title === '' ? '' : ` · ${response.title}`}`,
          secondary: response.body.replace(/\s+/g, ' '),
        }))
      : colleagueMatches.map((agent) => ({
          id: agent.id,
          primary: agent.name,
          secondary: agent.email,
          aside: (
            <Avatar sx={{ width: 28, height: 28, fontSize: 14 }} aria-hidden>
              {agent.name.slice(0, 1).toUpperCase()}
            </Avatar>
          ),
        }));
  const activeIndex = Math.min(active, Math.max(0, suggestions.length - 1));

  useEffect(() => {
    if (pendingCaret.current === null || input.current === null) return;
    const at = pendingCaret.current;
    pendingCaret.current = null;
    input.current.focus();
    input.current.setSelectionRange(at, at);
    setCaret(at);
  }, [draft]);

  // Files dropped anywhere on the open thread come here; the composer shows where they go.
  const dragging = useThreadFileDrop(root, note, onAttach);

  function change(text: string, at: number | null, mentioned: Mention | null = null): void {
    onDraftChange(text, mentioned);
    if (at !== null) setCaret(at);
    setActive(0);
    // A list closed with Escape opens again once its trigger is gone and typed anew.
    const next = triggerAt(text, at ?? text.length, note);
    if (next === null || next.start !== dismissed) setDismissed(null);
  }

  function replaceWith(current: Trigger, insert: string, mentioned: Mention | null = null): void {
    const next = replaceTrigger(draft, current, Math.min(caret, draft.length), insert);
    pendingCaret.current = next.caret;
    change(next.text, next.caret, mentioned);
  }

  function pick(index: number): void {
    if (trigger === null) return;
    if (trigger.kind === 'canned') {
      const response = cannedMatches[index];
      if (response !== undefined) replaceWith(trigger, fillVariables(response.body, variables));
      return;
    }
    const colleague = colleagueMatches[index];
    if (colleague === undefined) return;
    replaceWith(trigger, `${mentionText(colleague.name)} `, { id: colleague.id, name: colleague.name });
  }

  function insertAtCaret(value: string): void {
    const element = input.current;
    const start = element?.selectionStart ?? Math.min(caret, draft.length);
    const end = element?.selectionEnd ?? start;
    const text = draft.slice(0, start) + value + draft.slice(end);
    pendingCaret.current = start + value.length;
    change(text, start + value.length);
  }

  function keyDown(event: KeyboardEvent<HTMLDivElement>): void {
    if (event.nativeEvent.isComposing) return;
    if (open) {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        setDismissed(trigger.start);
        return;
      }
      if (suggestions.length > 0) {
        if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
          event.preventDefault();
          const step = event.key === 'ArrowDown' ? 1 : -1;
          setActive((activeIndex + step + suggestions.length) % suggestions.length);
          return;
        }
        if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
          event.preventDefault();
          pick(activeIndex);
          return;
        }
      }
    }
    // Enter while an input method composes a character is part of typing, not a send.
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      if (canSend && !sending) onSend();
    }
  }

  function followCaret(event: SyntheticEvent<HTMLDivElement>): void {
    const target = event.target;
    if (target instanceof HTMLTextAreaElement) setCaret(target.selectionStart);
  }

  function picked(event: ChangeEvent<HTMLInputElement>): void {
    const files = [...(event.target.files ?? [])];
    // Let the same file be picked again after it was removed.
    event.target.value = '';
    const first = files[0];
    if (first !== undefined) onAttach(first, files.length > 1);
  }

  function paste(event: ClipboardEvent<HTMLDivElement>): void {
    const data = event.clipboardData;
    // Copied text (even with a picture of it, as some editors add) is pasted as text.
    if (data.types.includes('text/plain')) return;
    const files = [...data.files];
    const first = files[0];
    if (first === undefined) return;
    event.preventDefault();
    onAttach(first, files.length > 1);
  }

  const placeholder = note
    ? t('composer.placeholderNote')
    : attachment !== null
      ? t('composer.placeholderCaption')
      : humanAgent
        ? t('composer.placeholderHumanAgent')
        : t('composer.placeholder');
  // A canned response's variable left as typed: said, so it is not sent by mistake.
  const unfilled = unfilledVariables(draft);
  const showChips = (!note && (replyTo !== null || humanAgent)) || attachment !== null;
  const listOpen = open && (trigger.kind === 'canned' || note);

  return (
    <Box
      ref={root}
      sx={{ position: 'relative', px: 2, pt: 1, pb: 1.5 }}
      data-testid="composer"
      data-mode={mode}
      onKeyUp={followCaret}
      onClick={followCaret}
    >
      {listOpen && (
        <SuggestionList
          id={listId}
          label={trigger.kind === 'canned' ? t('composer.cannedList') : t('composer.mentionList')}
          items={suggestions}
          active={activeIndex}
          emptyText={trigger.kind === 'canned' ? t('composer.cannedNone') : t('composer.mentionNone')}
          onPick={pick}
          onHover={setActive}
          testId={trigger.kind === 'canned' ? 'canned-list' : 'mention-list'}
        />
      )}
      {dragging && (
        <Box
          data-testid="drop-target"
          aria-hidden
          sx={{
            position: 'absolute',
            inset: 4,
            zIndex: 5,
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
            gap: 1,
            border: '2px dashed',
            borderColor: note ? 'warning.main' : 'primary.main',
            borderRadius: 2,
            bgcolor: 'background.paper',
            color: note ? 'text.primary' : 'primary.main',
            pointerEvents: 'none',
          }}
        >
          <FileUploadOutlinedIcon />
          <Typography variant="body2" sx={{ fontWeight: 600 }}>
            {note ? t('composer.noteNoFiles') : t('composer.dropHere')}
          </Typography>
        </Box>
      )}
      {showChips && (
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mb: 1 }}>
          {humanAgent && !note && (
            <Chip
              size="small"
              color="warning"
              variant="outlined"
              icon={<SupportAgentIcon />}
              label={t('composer.humanAgent')}
              data-testid="human-agent-chip"
            />
          )}
          {replyTo !== null && !note && (
            <Chip
              icon={<ReplyIcon />}
              label={`${t('composer.replyingTo', { name: replyTo.author })}: ${replyTo.preview}`}
              onDelete={onCancelReply}
              deleteIcon={<CancelIcon titleAccess={t('composer.cancelReply')} />}
              data-testid="reply-chip"
              sx={{ maxWidth: '100%' }}
            />
          )}
          {attachment !== null && (
            <Chip
              icon={attachment.uploading ? <CircularProgress size={16} /> : <InsertDriveFileOutlinedIcon />}
              label={`${attachment.fileName} · ${attachment.uploading ? t('composer.uploading') : fileSize(attachment.size, lang)}`}
              onDelete={onRemoveAttachment}
              deleteIcon={<CancelIcon titleAccess={t('composer.removeAttachment')} />}
              data-testid="attachment-chip"
              data-uploading={attachment.uploading}
              sx={{ maxWidth: '100%' }}
            />
          )}
        </Box>
      )}
      <Box sx={{ display: 'flex', alignItems: 'flex-end', gap: 0.5 }}>
        <input ref={fileInput} type="file" hidden onChange={picked} data-testid="attach-input" />
        <Tooltip title={note ? t('composer.noteNoFiles') : t('composer.attach')}>
          <span>
            <IconButton
              aria-label={t('composer.attach')}
              onClick={() => fileInput.current?.click()}
              disabled={note}
              data-testid="attach-button"
            >
              <AttachFileIcon />
            </IconButton>
          </span>
        </Tooltip>
        <EmojiButton onPick={insertAtCaret} />
        <TextField
          value={draft}
          onChange={(event) => change(event.target.value, event.target.selectionStart)}
          onKeyDown={keyDown}
          onPaste={paste}
          onSelect={followCaret}
          placeholder={placeholder}
          multiline
          rows={1}
          fullWidth
          size="small"
          inputRef={input}
          sx={note ? NOTE_FIELD : REPLY_FIELD}
          slotProps={{
            // A plain textarea that the browser sizes to its text (up to six lines): the
            // autosizing one measures a hidden copy of itself on every render, a layout of
            // the whole page each time the thread opens.
            input: { inputComponent: 'textarea' },
            htmlInput: {
              'aria-label': note ? t('composer.labelNote') : t('composer.label'),
              'aria-autocomplete': 'list',
              spellCheck: true,
              ...(listOpen && suggestions.length > 0
                ? { 'aria-controls': listId, 'aria-activedescendant': `${listId}-${activeIndex}` }
                : {}),
              'data-testid': 'composer-input',
            },
          }}
        />
        <Tooltip title={note ? t('composer.sendNote') : t('composer.send')}>
          <span>
            <IconButton
              color={note ? 'warning' : 'primary'}
              aria-label={note ? t('composer.sendNote') : t('composer.send')}
              onClick={onSend}
              disabled={!canSend || sending}
              data-testid="composer-send"
            >
              {sending ? <CircularProgress size={22} /> : <SendIcon />}
            </IconButton>
          </span>
        </Tooltip>
      </Box>
      {unfilled.length > 0 && (
        <Typography
          variant="caption"
          component="div"
          role="status"
          data-testid="unfilled-variables"
          sx={{ mt: 0.5, ml: 12, color: 'warning.main', fontWeight: 600 }}
        >
          {t('composer.unfilled', { list: unfilled.join(', ') })}
        </Typography>
      )}
      {signature !== null && !note && (
        <Typography
          variant="caption"
          color="text.secondary"
          component="div"
          data-testid="signature-preview"
          sx={{ mt: 0.5, ml: 12, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
        >
          {t('composer.signatureAdded', { signature })}
        </Typography>
      )}
      <Typography variant="caption" color="text.secondary" sx={{ display: 'block', mt: 0.5, ml: 12 }}>
        {note ? t('composer.hintNote') : t('composer.hint')}
      </Typography>
    </Box>
  );
}
