import LockOutlinedIcon from '@mui/icons-material/LockOutlined';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { Message } from '@parley/protocol';
import type { JSX, ReactNode } from 'react';
import { messageTime, useT } from '../../../common/i18n/index.js';
import Link from '@mui/material/Link';
import { linkify } from '../../../common/linkify.js';
import { mentionParts } from './mentionParts.js';

/**
 * A private note: for the team only, never sent to the customer. Full width and framed
 * apart from the bubbles, with a label and a lock, and its @mentions of colleagues marked.
 */
export function NoteCard({
  message,
  author,
  mentionNames,
  highlighted,
}: {
  message: Message;
  /** The agent who wrote it, as the cache names them. */
  author: string;
  /** The names of the agents it mentions. */
  mentionNames: readonly string[];
  highlighted: boolean;
}): JSX.Element {
  const { t, lang } = useT();
  const text = message.text ?? '';
  const parts = mentionParts(text, mentionNames);
  return (
    <Box
      data-testid="message"
      data-message-id={message.id}
      data-highlighted={highlighted}
      data-direction={message.direction}
      data-kind="note"
      sx={{
        px: 2,
        py: 0.75,
        transition: 'background-color 400ms',
        bgcolor: highlighted ? 'thread.highlight' : 'transparent',
      }}
    >
      <Box
        component="section"
        aria-label={t('note.label')}
        sx={{
          mx: { xs: 0, md: 6 },
          px: 1.5,
          py: 1,
          bgcolor: 'thread.note',
          border: 1,
          borderStyle: 'dashed',
          borderColor: 'warning.main',
          borderLeft: 4,
          borderLeftStyle: 'solid',
          borderLeftColor: 'warning.main',
          borderRadius: 1,
          color: 'text.primary',
        }}
      >
        <Typography
          variant="caption"
          component="div"
          data-testid="note-label"
          sx={{ display: 'flex', alignItems: 'center', gap: 0.75, fontWeight: 700, mb: 0.5 }}
        >
          <LockOutlinedIcon fontSize="inherit" aria-hidden />
          {t('note.label')}
          <Box component="span" sx={{ fontWeight: 400 }}>
            · {t('note.by', { name: author })} · {messageTime(message.createdAt, undefined, lang)}
          </Box>
        </Typography>
        {message.deletedAt !== null ? (
          <Typography sx={{ fontStyle: 'italic' }} data-testid="message-deleted">
            {t('message.deleted')}
          </Typography>
        ) : (
          <Typography
            component="div"
            data-testid="message-text"
            sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
          >
            {parts.map((part, index): ReactNode =>
              part.kind === 'mention' ? (
                <Box
                  key={index}
                  component="mark"
                  data-testid="note-mention"
                  sx={{
                    bgcolor: 'transparent',
                    color: 'inherit',
                    fontWeight: 700,
                    borderBottom: 2,
                    borderColor: 'warning.main',
                  }}
                >
                  {part.text}
                </Box>
              ) : (
                linkify(part.text).map((run, at) =>
                  run.kind === 'link' ? (
                    <Link
                      key={`${index}:${at}`}
                      href={run.href}
                      target="_blank"
                      rel="noopener noreferrer"
                      color="inherit"
                    >
                      {run.text}
                    </Link>
                  ) : (
                    <span key={`${index}:${at}`}>{run.text}</span>
                  ),
                )
              ),
            )}
          </Typography>
        )}
      </Box>
    </Box>
  );
}
