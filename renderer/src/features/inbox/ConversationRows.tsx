import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { Agent, Conversation, Team } from '@parley/protocol';
import {
  forwardRef,
  memo,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type HTMLAttributes,
  type JSX,
  type KeyboardEvent,
} from 'react';
import { Virtuoso, type ListRange, type VirtuosoHandle } from 'react-virtuoso';
import { useT, type Locale } from '../../common/i18n/index.js';
import { useNow } from '../../common/useNow.js';
import type { ConversationIndex } from '../../data/conversationIndex.js';
import { resolveContact } from '../../domain/contacts.js';
import { lastMessageText } from '../../domain/messageView.js';
import {
  ConversationListItem,
  ConversationRowStyles,
  ROW_HEIGHT,
  type ConversationListItemProps,
} from './ConversationListItem.js';
import { frozenChanges } from './freeze.js';
import { keptWords } from './keptWords.js';
import { ListUpdates, UPDATES_STRIP_HEIGHT } from './ListUpdates.js';

/** Rows rendered before the list knows its height: a tall window's worth. */
const FIRST_RENDER_ROWS = 14;

/** How long the order stays still after the pointer leaves the list: it may be on its way back. */
const LEAVE_GRACE_MS = 400;

/**
 * Contacts are read for the rows on screen and this many on each side, in one read, so
 * rows scrolled into view have their names already; a new read starts once the screen
 * comes within CONTACTS_MARGIN rows of the edge of what was read.
 */
const CONTACTS_AROUND = 100;
const CONTACTS_MARGIN = 40;

/**
 * Rows rendered beyond the screen on each side. The list renders in the scroll event, before
 * the frame is painted, so one row is enough for a wheel's step; every row more is laid
 * out and painted on each jump of a fast scroll.
 */
const OVERSCAN = { top: ROW_HEIGHT, bottom: ROW_HEIGHT };
const LIST_STYLE = { flex: 1, minHeight: 0 };
const itemKey = (_: number, id: string): string => id;

export type RowsHandle = {
  focus(): void;
  move(delta: 1 | -1): void;
  openCurrent(): void;
};

type RowsProps = {
  index: ConversationIndex;
  /** The view's conversations in order, as they are now. */
  live: readonly Conversation[];
  teams: ReadonlyMap<string, Team>;
  agents: ReadonlyMap<string, Agent>;
  meId: string;
  selectedId: string | null;
  onSelect: (id: string) => void;
  /**
   * The agent is about to open this one, perhaps: the pointer went over its row or the
   * keyboard made it current. The list has its thread's first screen read ahead.
   */
  onLookAt?: (id: string) => void;
  label: string;
};

type ListContext = { label: string };

/** The element that holds the rows: the listbox, named for screen readers. */
const Listbox = forwardRef<HTMLDivElement, HTMLAttributes<HTMLDivElement> & { context?: ListContext }>(function Listbox(
  { context, ...props },
  ref,
) {
  return <div {...props} ref={ref} role="listbox" aria-label={context?.label} data-testid="conversation-list" />;
});

const listComponents = { List: Listbox };

type RowProps = Omit<ConversationListItemProps, 'contactName' | 'preview'> & {
  source: ConversationIndex;
  lang: Locale;
};

/**
 * One row with its contact's name: it follows the contacts read or changed on its own, so a
 * contact arriving renders that row again, not the list.
 */
const ConversationRow = memo(function ConversationRow({ source, lang, ...props }: RowProps): JSX.Element {
  const { conversation } = props;
  const contactName = useSyncExternalStore(
    source.subscribeContacts,
    () => resolveContact(source.contactMap, conversation.contactId)?.name ?? '',
  );
  const preview = useMemo(() => lastMessageText(conversation, lang), [conversation, lang]);
  return <ConversationListItem {...props} contactName={contactName} preview={preview} />;
});

/**
 * The virtual list of rows with roving focus. While the pointer is over it (and a moment
 * after it leaves) or keyboard focus is in it, the order holds still: rows change their
 * contents in place, and new rows and moves wait behind an "N updates — show" button.
 */
export const ConversationRows = forwardRef<RowsHandle, RowsProps>(function ConversationRows(
  { index, live, teams, agents, meId, selectedId, onSelect, onLookAt, label },
  ref,
) {
  const words = useT();
  const translator = useMemo(() => keptWords(words), [words]);
  const { t, lang } = translator;
  const now = useNow();
  const virtuoso = useRef<VirtuosoHandle>(null);
  const container = useRef<HTMLDivElement>(null);
  const [pointerInside, setPointerInside] = useState(false);
  const [keyboardInside, setKeyboardInside] = useState(false);
  const leaveTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const hold = pointerInside || keyboardInside;

  // The order on screen: the live one, or the one frozen when the agent reached for the list.
  const [frozen, setFrozen] = useState<readonly Conversation[] | null>(null);
  const liveRef = useRef(live);
  liveRef.current = live;
  useEffect(() => {
    setFrozen(hold ? liveRef.current : null);
  }, [hold]);
  useEffect(() => () => clearTimeout(leaveTimer.current), []);

  const { shown, pending } = useMemo(() => {
    if (frozen === null) return { shown: live.map((conversation) => conversation.id), pending: 0 };
    return frozenChanges(frozen, live, (id) => index.conversations.has(id));
  }, [frozen, live, index]);

  // The updates strip takes room above the rows only while something waits: the list scrolls
  // by its height as it opens and closes, so the rows on screen do not move under the pointer.
  const scroller = useRef<HTMLElement | null>(null);
  const setScroller = useCallback((element: HTMLElement | Window | null) => {
    scroller.current = element instanceof HTMLElement ? element : null;
  }, []);
  const stripOpen = pending > 0;
  const stripWasOpen = useRef(false);
  useLayoutEffect(() => {
    if (stripWasOpen.current === stripOpen) return;
    stripWasOpen.current = stripOpen;
    if (scroller.current !== null)
      scroller.current.scrollTop += stripOpen ? UPDATES_STRIP_HEIGHT : -UPDATES_STRIP_HEIGHT;
  }, [stripOpen]);

  const [current, setCurrent] = useState(0);
  const currentRef = useRef(current);
  currentRef.current = Math.min(current, Math.max(0, shown.length - 1));
  // The opened conversation becomes the current row when it is on the list.
  useEffect(() => {
    if (selectedId === null) return;
    const at = shown.indexOf(selectedId);
    if (at >= 0) setCurrent(at);
  }, [selectedId, shown]);

  const focusRow = useCallback((at: number) => {
    const tryFocus = (): boolean => {
      const row = container.current?.querySelector<HTMLElement>(`[data-row-index="${at}"]`);
      if (row === null || row === undefined) return false;
      row.focus({ preventScroll: true });
      return true;
    };
    virtuoso.current?.scrollIntoView({
      index: at,
      behavior: 'auto',
      done: () => {
        if (!tryFocus()) requestAnimationFrame(() => void tryFocus());
      },
    });
    if (!tryFocus()) requestAnimationFrame(() => void tryFocus());
  }, []);

  const shownRef = useRef(shown);
  shownRef.current = shown;

  const moveTo = useCallback(
    (at: number) => {
      const last = shownRef.current.length - 1;
      if (last < 0) return;
      const next = Math.max(0, Math.min(last, at));
      setCurrent(next);
      setKeyboardInside(true);
      focusRow(next);
    },
    [focusRow],
  );

  const openCurrent = useCallback(() => {
    const id = shownRef.current[currentRef.current];
    if (id !== undefined) onSelect(id);
  }, [onSelect]);

  useImperativeHandle(
    ref,
    () => ({
      focus: () => moveTo(currentRef.current),
      move: (delta) => moveTo(currentRef.current + delta),
      openCurrent,
    }),
    [moveTo, openCurrent],
  );

  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLElement>, at: number) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      let handled = true;
      if (event.key === 'ArrowDown' || event.key === 'j') moveTo(at + 1);
      else if (event.key === 'ArrowUp' || event.key === 'k') moveTo(at - 1);
      else if (event.key === 'Home') moveTo(0);
      else if (event.key === 'End') moveTo(shownRef.current.length - 1);
      else if (event.key === 'PageDown') moveTo(at + 8);
      else if (event.key === 'PageUp') moveTo(at - 8);
      else if (event.key === 'Enter' || event.key === ' ') {
        const id = shownRef.current[at];
        if (id !== undefined) onSelect(id);
      } else handled = false;
      if (handled) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    [moveTo, onSelect],
  );

  const onFocusRow = useCallback((at: number) => setCurrent(at), []);

  // Contacts are read for the rows on screen and a few screens around them, a batch at a
  // time: not in React state, so scrolling renders the rows only.
  const rangeRef = useRef<ListRange>({ startIndex: 0, endIndex: FIRST_RENDER_ROWS });
  const contactsRead = useRef<{ shown: readonly string[]; from: number; to: number } | null>(null);
  const contactsTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const readContacts = useCallback(
    (range: ListRange) => {
      rangeRef.current = range;
      const ids = shownRef.current;
      const last = ids.length - 1;
      const read = contactsRead.current;
      if (
        read !== null &&
        read.shown === ids &&
        Math.max(0, range.startIndex - CONTACTS_MARGIN) >= read.from &&
        Math.min(last, range.endIndex + CONTACTS_MARGIN) <= read.to
      ) {
        return;
      }
      const from = Math.max(0, range.startIndex - CONTACTS_AROUND);
      const to = Math.min(last, range.endIndex + CONTACTS_AROUND);
      contactsRead.current = { shown: ids, from, to };
      const contactIds: string[] = [];
      for (let at = from; at <= to; at += 1) {
        const id = ids[at];
        const conversation = id === undefined ? undefined : index.conversations.get(id);
        if (conversation !== undefined) contactIds.push(conversation.contactId);
      }
      // In a task of its own: the read's start does not lengthen the frame that scrolled.
      clearTimeout(contactsTimer.current);
      contactsTimer.current = setTimeout(() => {
        void index.wantContacts(contactIds).catch(() => {
          // The database closed meanwhile (signed out): nothing to show.
        });
      }, 0);
    },
    [index],
  );
  useEffect(() => () => clearTimeout(contactsTimer.current), []);
  useEffect(() => {
    readContacts(rangeRef.current);
  }, [shown, readContacts]);

  const listContext = useMemo<ListContext>(() => ({ label }), [label]);
  // Once rows are painted (the frame after they are committed), the index reads the rest.
  const anyRows = shown.length > 0;
  useEffect(() => {
    if (!anyRows) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let frame = 0;
    // The list draws its rows once it has measured itself: wait for them to be there.
    const waitForRows = (tries: number): void => {
      frame = requestAnimationFrame(() => {
        const there = container.current?.querySelector('[role="option"]') !== null;
        if (there || tries === 0) timer = setTimeout(() => index.rowsPainted(), 0);
        else waitForRows(tries - 1);
      });
    };
    waitForRows(10);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [anyRows, index]);
  const count = shown.length;
  const rowCurrent = Math.min(current, Math.max(0, count - 1));
  const currentId = shown[rowCurrent];
  const lookAt = useRef(onLookAt);
  lookAt.current = onLookAt;
  // Moving through the list with j/k or the arrows: the row the keyboard is on may open next.
  useEffect(() => {
    if (keyboardInside && currentId !== undefined) lookAt.current?.(currentId);
  }, [keyboardInside, currentId]);

  const itemContent = useCallback(
    (at: number, id: string): JSX.Element => {
      const conversation = index.conversations.get(id);
      if (conversation === undefined) return <div style={{ height: ROW_HEIGHT }} />;
      return (
        <ConversationRow
          source={index}
          lang={lang}
          conversation={conversation}
          now={now}
          team={conversation.teamId === null ? undefined : teams.get(conversation.teamId)}
          assignee={conversation.assigneeId === null ? undefined : agents.get(conversation.assigneeId)}
          meId={meId}
          translator={translator}
          selected={id === selectedId}
          current={at === rowCurrent}
          index={at}
          count={count}
          onSelect={onSelect}
          onKeyDown={onKeyDown}
          onFocusRow={onFocusRow}
        />
      );
    },
    [index, lang, now, teams, agents, meId, translator, selectedId, rowCurrent, count, onSelect, onKeyDown, onFocusRow],
  );

  return (
    <Box
      ref={container}
      sx={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', position: 'relative' }}
      onPointerEnter={() => {
        clearTimeout(leaveTimer.current);
        setPointerInside(true);
      }}
      onPointerOver={(event) => {
        // One listener for every row: the row the pointer came onto.
        const row = event.target instanceof Element ? event.target.closest('[data-conversation-id]') : null;
        const id = row?.getAttribute('data-conversation-id');
        if (id !== null && id !== undefined) lookAt.current?.(id);
      }}
      onPointerLeave={() => {
        clearTimeout(leaveTimer.current);
        leaveTimer.current = setTimeout(() => setPointerInside(false), LEAVE_GRACE_MS);
      }}
      onFocus={(event) => {
        // Keyboard focus holds the order; a click's focus does not (the pointer already does).
        if (event.target instanceof HTMLElement && event.target.matches(':focus-visible')) setKeyboardInside(true);
      }}
      onBlur={(event) => {
        if (!(event.relatedTarget instanceof Node) || !event.currentTarget.contains(event.relatedTarget)) {
          setKeyboardInside(false);
        }
      }}
    >
      <ListUpdates
        pending={pending}
        onShow={(keyboard) => {
          setFrozen(liveRef.current);
          // The button goes away: a keyboard user lands on the top row, where the changes show.
          if (keyboard) moveTo(0);
        }}
      />
      {count === 0 && index.complete ? (
        <Typography color="text.secondary" sx={{ p: 3 }} data-testid="inbox-view-empty">
          {t('inbox.emptyView')}
        </Typography>
      ) : null}
      <ConversationRowStyles />
      <Virtuoso
        ref={virtuoso}
        scrollerRef={setScroller}
        style={LIST_STYLE}
        data={shown}
        fixedItemHeight={ROW_HEIGHT}
        // The first rows in the very first render, before the list has measured itself.
        initialItemCount={Math.min(shown.length, FIRST_RENDER_ROWS)}
        increaseViewportBy={OVERSCAN}
        computeItemKey={itemKey}
        rangeChanged={readContacts}
        itemContent={itemContent}
        components={listComponents}
        context={listContext}
      />
    </Box>
  );
});
