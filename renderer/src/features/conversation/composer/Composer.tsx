import AttachFileIcon from '@mui/icons-material/AttachFile';
import CancelIcon from '@mui/icons-material/Cancel';
import InsertDriveFileOutlinedIcon from '@mui/icons-material/InsertDriveFileOutlined';
import ReplyIcon from '@mui/icons-material/Reply';
import SendIcon from '@mui/icons-material/Send';
import SupportAgentIcon from '@mui/icons-material/SupportAgent';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import IconButton from '@mui/material/IconButton';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useRef, type ChangeEvent, type JSX, type KeyboardEvent } from 'react';
import { useT, fileSize } from '../../../common/i18n/index.js';

export type ComposerAttachment = { fileName: string; size: number; uploading: boolean };
export type ComposerQuote = { author: string; preview: string };

/**
 * The reply box: Enter sends, Shift+Enter starts a new line. Shows the quoted message and
 * the attached file as chips above the text.
 */
export function Composer({
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
}: {
  draft: string;
  onDraftChange: (text: string) => void;
  onSend: () => void;
  canSend: boolean;
  sending: boolean;
  attachment: ComposerAttachment | null;
  onAttach: (file: File) => void;
  onRemoveAttachment: () => void;
  replyTo: ComposerQuote | null;
  onCancelReply: () => void;
  humanAgent: boolean;
}): JSX.Element {
  const { t, lang } = useT();
  const fileInput = useRef<HTMLInputElement>(null);

  function keyDown(event: KeyboardEvent<HTMLDivElement>): void {
    // Enter while an input method composes a character is part of typing, not a send.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      if (canSend && !sending) onSend();
    }
  }

  function picked(event: ChangeEvent<HTMLInputElement>): void {
    const file = event.target.files?.[0];
    // Let the same file be picked again after it was removed.
    event.target.value = '';
    if (file !== undefined) onAttach(file);
  }

  const placeholder =
    attachment !== null
      ? t('composer.placeholderCaption')
      : humanAgent
        ? t('composer.placeholderHumanAgent')
        : t('composer.placeholder');

  return (
    <Box sx={{ px: 2, pt: 1, pb: 1.5, bgcolor: 'background.paper' }} data-testid="composer">
      {(replyTo !== null || attachment !== null || humanAgent) && (
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mb: 1 }}>
          {humanAgent && (
            <Chip
              size="small"
              color="warning"
              variant="outlined"
              icon={<SupportAgentIcon />}
              label={t('composer.humanAgent')}
              data-testid="human-agent-chip"
            />
          )}
          {replyTo !== null && (
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
      <Box sx={{ display: 'flex', alignItems: 'flex-end', gap: 1 }}>
        <input ref={fileInput} type="file" hidden onChange={picked} data-testid="attach-input" />
        <Tooltip title={t('composer.attach')}>
          <IconButton aria-label={t('composer.attach')} onClick={() => fileInput.current?.click()}>
            <AttachFileIcon />
          </IconButton>
        </Tooltip>
        <TextField
          value={draft}
          onChange={(event) => onDraftChange(event.target.value)}
          onKeyDown={keyDown}
          placeholder={placeholder}
          multiline
          maxRows={6}
          fullWidth
          size="small"
          slotProps={{ htmlInput: { 'aria-label': t('composer.label'), 'data-testid': 'composer-input' } }}
        />
        <Tooltip title={t('composer.send')}>
          <span>
            <IconButton
              color="primary"
              aria-label={t('composer.send')}
              onClick={onSend}
              disabled={!canSend || sending}
              data-testid="composer-send"
            >
              {sending ? <CircularProgress size={22} /> : <SendIcon />}
            </IconButton>
          </span>
        </Tooltip>
      </Box>
      <Typography variant="caption" color="text.secondary" sx={{ display: 'block', mt: 0.5, ml: 7 }}>
        {t('composer.hint')}
      </Typography>
    </Box>
  );
}
