import { useCallback, useEffect, useRef, useState } from 'react';
import type { ParleyDb } from '../../../data/db.js';
import { draftSaverFor } from '../../../data/drafts.js';
import type { ComposerMode } from './Composer.js';

export type ComposerDraft = {
  /** The text as typed. */
  text: string;
  mode: ComposerMode;
  /** The colleagues picked with @ (ids); only those still named in the text are sent. */
  mentionIds: readonly string[];
  /** The agent typed: shown at once, saved after a pause. */
  write: (text: string, mentionIds: readonly string[]) => void;
  /** Reply or note, kept with the draft. */
  changeMode: (mode: ComposerMode) => void;
  /**
   * `text` was sent: the draft is forgotten, unless the agent typed on after pressing send
   * (what they typed since stays, as the draft).
   */
  sent: (text: string) => void;
};

/**
 * What the agent is writing in a conversation, kept as its draft on this device until it is
 * sent: read back when the conversation opens (also after a restart), saved after a pause
 * in typing, and at once when the conversation closes or the window hides.
 */
export function useComposerDraft(db: ParleyDb, conversationId: string): ComposerDraft {
  const [text, setText] = useState('');
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [mentionIds, setMentionIds] = useState<readonly string[]>([]);
  // One saver for the database: the composer that closes a conversation and the one that
  // opens it again share its order, so the draft read here includes what was just typed.
  const saver = draftSaverFor(db);
  // The agent changed something before the stored draft was read: theirs wins.
  const touched = useRef(false);
  // The text as last typed, for a send that finishes after the agent typed on.
  const latest = useRef('');

  // The draft left in this conversation, on this device (also after a restart).
  useEffect(() => {
    let cancelled = false;
    saver.read(conversationId).then(
      (row) => {
        if (cancelled || row === undefined || touched.current) return;
        latest.current = row.text;
        setText(row.text);
        setMode(row.mode);
        setMentionIds(row.mentions);
      },
      (failure: unknown) => console.error('Parley: could not read the draft', failure),
    );
    return () => {
      cancelled = true;
    };
  }, [saver, conversationId]);

  // Switching conversation unmounts the composer, and hiding the window may be the last
  // moment the page runs: what was typed in the last moments is written at once, not after
  // the pause. (Closing or reloading the window also journals it: draftSaverFor.)
  useEffect(() => {
    const flush = (): void => void saver.flush();
    const hidden = (): void => {
      if (document.visibilityState === 'hidden') flush();
    };
    document.addEventListener('visibilitychange', hidden);
    return () => {
      document.removeEventListener('visibilitychange', hidden);
      flush();
    };
  }, [saver]);

  const write = useCallback(
    (next: string, ids: readonly string[]) => {
      touched.current = true;
      latest.current = next;
      setText(next);
      setMentionIds((current) => (ids.join() === current.join() ? current : ids));
      saver.schedule({ conversationId, text: next, mode, mentions: [...ids] });
    },
    [saver, conversationId, mode],
  );

  const changeMode = useCallback(
    (next: ComposerMode) => {
      touched.current = true;
      setMode(next);
      saver.schedule({ conversationId, text, mode: next, mentions: [...mentionIds] });
    },
    [saver, conversationId, text, mentionIds],
  );

  const sent = useCallback(
    (typed: string) => {
      if (latest.current !== typed) return;
      latest.current = '';
      setText('');
      setMentionIds([]);
      void saver.clear(conversationId);
    },
    [saver, conversationId],
  );

  return { text, mode, mentionIds, write, changeMode, sent };
}
