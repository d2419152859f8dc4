import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { Contact } from '@parley/protocol';
import { useCallback, useEffect, useRef, useState, type JSX } from 'react';
import { newClientId } from '../../common/clientId.js';
import { failureText } from '../../common/i18n/failures.js';
import { useT, type MessageKey } from '../../common/i18n/index.js';
import type { ParleyDb } from '../../data/db.js';
import { discardOutbox, enqueue, retryOutbox } from '../../sync/outbox.js';
import { NOTE_MAX_LENGTH, noteStatus, type NoteStatus } from './panelRules.js';
import { useNoteOutbox } from './usePanelData.js';

/** How long typing must pause before the note is saved. */
const SAVE_AFTER_MS = 1200;

const statusWords: Record<NoteStatus, MessageKey | null> = {
  idle: null,
  editing: null,
  waiting: 'contacts.note.waiting',
  failed: 'contacts.note.failed',
  saved: 'contacts.note.saved',
};

/**
 * What agents wrote about the customer, for each other. Saved when the agent leaves the field
 * or pauses, through the outbox like every change: offline it waits there and is sent when
 * the connection is back; the field shows the optimistic text meanwhile.
 */
/** Three lines at least, twelve at most, then it scrolls (MUI's line height is 1.4375em). */
const NOTE_FIELD = {
  '& textarea': {
    fieldSizing: 'content',
    minHeight: `${3 * 1.4375}em`,
    maxHeight: `${12 * 1.4375}em`,
    overflowY: 'auto',
  },
};

export function ContactNote({ db, contact }: { db: ParleyDb; contact: Contact }): JSX.Element {
  const { t, lang } = useT();
  // While the agent edits: the text in the field, and the last text handed to the outbox.
  const [edit, setEdit] = useState<{ text: string; handed: string } | null>(null);
  const [focused, setFocused] = useState(false);
  // Changes being written to the outbox right now (a moment, before the row shows).
  const [handing, setHanding] = useState(0);
  const [changedHere, setChangedHere] = useState(false);
  const [enqueueError, setEnqueueError] = useState(false);
  const outbox = useNoteOutbox(db, contact.id);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The same edit, for the save when the panel leaves this contact.
  const latest = useRef<{ text: string; handed: string } | null>(null);

  const change = useCallback((next: { text: string; handed: string } | null): void => {
    latest.current = next;
    setEdit(next);
  }, []);

  const save = useCallback(
    (text: string): void => {
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
      const current = latest.current;
      if (current === null || current.handed === text) return;
      change({ text: current.text, handed: text });
      setChangedHere(true);
      setEnqueueError(false);
      setHanding((count) => count + 1);
      void enqueue(db, { type: 'contact.setNote', clientId: newClientId(), contactId: contact.id, note: text })
        .catch(() => setEnqueueError(true))
        .finally(() => setHanding((count) => count - 1));
    },
    [db, contact.id, change],
  );

  // Leaving this contact (another conversation, the panel closed) keeps what was typed.
  useEffect(
    () => () => {
      const current = latest.current;
      if (current !== null && current.text !== current.handed) save(current.text);
    },
    [save],
  );

  const rows = outbox ?? [];
  const dirty = edit !== null && edit.text !== edit.handed;
  const status = enqueueError
    ? 'failed'
    : noteStatus({
        dirty,
        outbox: [...rows.map((row) => row.state), ...(handing > 0 ? (['queued'] as const) : [])],
        changedHere,
      });
  // The agent's text stays in the field while it is edited or on its way; else the note as stored.
  const value = edit !== null && (focused || status === 'editing' || status === 'waiting') ? edit.text : contact.note;
  const failed = rows.filter((row) => row.state === 'failed').at(-1);
  const statusKey = statusWords[status];
  const counterId = `contact-note-count-${contact.id}`;

  return (
    <Box>
      <TextField
        multiline
        rows={3}
        fullWidth
        size="small"
        value={value}
        placeholder={t('contacts.note.placeholder')}
        sx={NOTE_FIELD}
        slotProps={{
          // A plain textarea the browser sizes to its text: the autosizing one measures a
          // hidden copy of itself on every render, a layout of the page each time a thread opens.
          input: { inputComponent: 'textarea' },
          htmlInput: {
            maxLength: NOTE_MAX_LENGTH,
            'aria-label': t('contacts.note.label'),
            'aria-describedby': counterId,
            'data-testid': 'contact-note',
          },
        }}
        onFocus={() => {
          setFocused(true);
          if (latest.current === null || latest.current.text === latest.current.handed) {
            change({ text: value, handed: contact.note });
          }
        }}
        onChange={(event) => {
          const text = event.target.value.slice(0, NOTE_MAX_LENGTH);
          change({ text, handed: latest.current?.handed ?? contact.note });
          if (timer.current !== null) clearTimeout(timer.current);
          timer.current = setTimeout(() => save(text), SAVE_AFTER_MS);
        }}
        onBlur={() => {
          setFocused(false);
          if (latest.current !== null) save(latest.current.text);
        }}
      />
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mt: 0.5, minHeight: 24 }}>
        <Typography
          variant="caption"
          color={status === 'failed' ? 'error' : 'text.secondary'}
          role="status"
          data-testid="contact-note-status"
          data-status={status}
          sx={{ flex: 1 }}
        >
          {statusKey === null
            ? ''
            : status === 'failed' && failed !== undefined && failed.lastError !== null
              ? t('contacts.note.failedWhy', { reason: failureText(failed.lastError, lang) })
              : t(statusKey)}
        </Typography>
        <Typography
          variant="caption"
          color={value.length >= NOTE_MAX_LENGTH ? 'error' : 'text.secondary'}
          id={counterId}
          data-testid="contact-note-count"
        >
          {t('contacts.note.count', { count: value.length, max: NOTE_MAX_LENGTH })}
        </Typography>
      </Box>
      {failed !== undefined && (
        <Box sx={{ display: 'flex', gap: 1, justifyContent: 'flex-end' }}>
          <Button size="small" onClick={() => void retryOutbox(db, failed.clientId, newClientId())}>
            {t('contacts.note.retry')}
          </Button>
          <Button size="small" onClick={() => void discardOutbox(db, failed.clientId)}>
            {t('contacts.note.discard')}
          </Button>
        </Box>
      )}
    </Box>
  );
}
