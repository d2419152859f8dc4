import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import type { Message, Template } from '@parley/protocol';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type JSX } from 'react';
import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useT } from '../../../common/i18n/index.js';
import { useNow } from '../../../common/useNow.js';
import type { QuotedMessages } from '../../../data/threadQuotes.js';
import type { MessageTarget, ThreadWindow } from '../../../data/threadWindow.js';
import { messagePreview } from '../../../domain/messageView.js';
import type { ActivityNames } from '../messages/activityText.js';
import { MessageStyles } from '../messages/MessageStyles.js';
import type { RowContext } from './rowContext.js';
import { keepRowHeight, knownRowHeight, logWidthIs } from './rowHeights.js';
import { ThreadRow } from './ThreadRow.js';
import { threadItems, unseenCount, type ThreadItem } from './threadItems.js';

const HIGHLIGHT_MS = 2500;

/** What the header above the first row says: fetching older history, or that this is the beginning. */
type LogContext = { fetching: boolean; hasOlder: boolean; empty: boolean };

function LogHeader({ context }: { context: LogContext }): JSX.Element {
  const { t } = useT();
  return (
    // One height whatever it says: a header that grew or shrank would move the rows below it.
    <Box sx={{ height: HEADER_HEIGHT, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
      {context.fetching ? (
        <Typography
          variant="caption"
          color="text.secondary"
          data-testid="thread-loading-older"
          sx={{ display: 'flex', alignItems: 'center', gap: 1 }}
        >
          <CircularProgress size={12} aria-hidden />
          {t('thread.loadingOlder')}
        </Typography>
      ) : context.empty ? (
        <Typography color="text.secondary">{t('thread.noMessages')}</Typography>
      ) : !context.hasOlder ? (
        <Typography variant="caption" color="text.secondary" data-testid="thread-start">
          {t('thread.start')}
        </Typography>
      ) : null}
    </Box>
  );
}

/** The header's height, always the same (above), and the room below the last row. */
const HEADER_HEIGHT = 32;
const FOOTER_HEIGHT = 8;
/** Within this many pixels of the end the agent is at the end: new messages follow. */
const AT_END_PX = 48;
/** Rows rendered beyond each edge of the view, so a scroll shows rows already laid out. */
const OVERSCAN_ROWS = 8;

/** What a row is taken to measure before it is rendered: what it measured before, or a guess (a day's line is shorter). */
function sizeOf(item: ThreadItem | undefined): number {
  return (item === undefined ? undefined : knownRowHeight(item.key)) ?? (item?.kind === 'day' ? 44 : 76);
}

/**
 * The view got shorter (the composer came, or grew with a long reply): at the end, it stays
 * there, to the last pixel (within AT_END_PX the last message would be cut). "At the end"
 * is judged by where the view was, from the offset the last scroll left and the height
 * before (`shown`, updated here): a flag refreshed on the virtualizer's debounce may lag a
 * scroll, and a resize then must not pull the agent back down. True when it scrolled.
 */
function holdEnd(instance: Virtualizer<HTMLDivElement, HTMLDivElement>, shown: { current: number | null }): boolean {
  const height = instance.scrollRect?.height ?? null;
  const before = shown.current;
  shown.current = height;
  if (height === before || height === null || before === null) return false;
  const total = instance.getTotalSize();
  const offset = instance.scrollOffset ?? 0;
  if (total - (offset + before) > AT_END_PX || total - (offset + height) <= 1) return false;
  instance.scrollToEnd();
  return true;
}

/**
 * The messages in time order, virtualized: only the rows near the viewport are in the
 * page. It opens at the end, follows new messages while the agent is there (otherwise a
 * button counts them), adds older pages at the top without moving what is on screen, and
 * brings a focused or quoted message into view, widening the window to reach it.
 */
export function MessageLog({
  window: thread,
  quoted,
  templates,
  contactName,
  online,
  focus,
  activityNames,
  onReply,
  onReact,
  onShown,
}: {
  window: ThreadWindow;
  /** The messages the window's replies quote, wherever they are. */
  quoted: QuotedMessages | undefined;
  templates: Template[] | undefined;
  contactName: string;
  online: boolean;
  /** A message to bring into view once it is shown (a search result): a new object asks again. */
  focus: { messageId: string } | null;
  /** Agents' and teams' names, for the activity lines and notes. */
  activityNames: ActivityNames;
  onReply: (message: Message) => void;
  onReact: (message: Message, emoji: string) => void;
  /** Called once the first rows are in the page (or the thread turned out empty). */
  onShown?: () => void;
}): JSX.Element {
  const { t, tn, lang } = useT();
  const now = useNow();
  const messages = thread.messages;
  const scroller = useRef<HTMLDivElement>(null);
  const [highlightedId, setHighlightedId] = useState<string | null>(null);
  const highlightTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(highlightTimer.current), []);

  const atStart = !thread.hasOlder;
  const items = useMemo(() => threadItems(messages ?? [], atStart), [messages, atStart]);

  // The agent at the bottom follows new messages; scrolled up, a button counts them.
  const [atBottom, setAtBottom] = useState(true);
  const [lastSeenId, setLastSeenId] = useState<string | null>(null);
  const lastMessage = messages?.at(-1);
  const latest = useRef({ lastMessage, items });
  useLayoutEffect(() => {
    latest.current = { lastMessage, items };
  });
  const unseen = atBottom ? 0 : unseenCount(messages ?? [], lastSeenId);

  // While a jump is under way the log does not follow its end. The list grows above as the
  // jump fetches older history, and the agent was at the end when they asked: following
  // would answer that growth (and the quote's row growing once its original is read) by
  // scrolling back to the end, after the jump had scrolled to the message.
  const [following, setFollowing] = useState(true);
  // Whether the jump has scrolled to its message: coming back to the end then follows again.
  const jumped = useRef(false);

  const onBottomChange = useCallback((bottom: boolean) => {
    setAtBottom(bottom);
    setLastSeenId(bottom ? null : (latest.current.lastMessage?.id ?? null));
    if (bottom && jumped.current) {
      jumped.current = false;
      setFollowing(true);
    }
  }, []);

  // Rows by their keys, so older rows added above and rows growing above the view leave
  // what is on screen where it is; it opens at the end and follows it while the agent is there.
  const atBottomNow = useRef(true);
  const shownHeight = useRef<number | null>(null);
  // The app is not built with React Compiler: the virtualizer renders the log again itself.
  // eslint-disable-next-line react-hooks/incompatible-library -- see above
  const virtualizer = useVirtualizer<HTMLDivElement, HTMLDivElement>({
    // Until the messages are read there is nothing to place (and no log): the first read opens at its end.
    enabled: messages !== undefined,
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: (index) => sizeOf(items[index]),
    getItemKey: (index) => items[index]?.key ?? index,
    overscan: OVERSCAN_ROWS,
    paddingStart: HEADER_HEIGHT,
    paddingEnd: FOOTER_HEIGHT,
    anchorTo: 'end',
    followOnAppend: following,
    scrollEndThreshold: AT_END_PX,
    // A row is measured once it is laid out (the resize observer), and when first rendered
    // only if no height is known for it: reading it then lays the page out again.
    measureElement: (element, entry, instance) => {
      const key = items[instance.indexFromElement(element)]?.key;
      const box = entry?.borderBoxSize[0];
      const known = key === undefined ? undefined : (instance.itemSizeCache.get(key) ?? knownRowHeight(key));
      const height = box !== undefined ? Math.round(box.blockSize) : (known ?? element.offsetHeight);
      if (key !== undefined) keepRowHeight(key, height);
      return height;
    },
    // Opens at the end: its last rows are rendered in the first frame, before any measuring.
    initialOffset: () => HEADER_HEIGHT + items.reduce((sum, item) => sum + sizeOf(item), 0),
    onChange: (instance: Virtualizer<HTMLDivElement, HTMLDivElement>) => {
      // From what the virtualizer knows, not from the page's layout: asking the element for
      // its scroll height on each change would lay the page out in the middle of a render.
      if (instance.scrollRect !== null) logWidthIs(instance.scrollRect.width);
      if (holdEnd(instance, shownHeight)) return;
      const height = instance.scrollRect?.height ?? 0;
      const atEnd = instance.getTotalSize() - ((instance.scrollOffset ?? 0) + height) <= AT_END_PX;
      if (atEnd !== atBottomNow.current) {
        atBottomNow.current = atEnd;
        onBottomChange(atEnd);
      }
    },
  });
  const scrollToEnd = useCallback(() => virtualizer.scrollToEnd(), [virtualizer]);
  // The virtualizer tells of a resize only when it changes the rows rendered: a view a few
  // pixels shorter is watched here too.
  const hasLog = messages !== undefined;
  useEffect(() => {
    const element = scroller.current;
    if (!hasLog || element === null) return;
    const observer = new ResizeObserver(() => holdEnd(virtualizer, shownHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasLog, virtualizer]);

  // The agent's own reply always brings the end back into view.
  const lastOwnId = lastMessage?.direction === 'outbound' && lastMessage.kind !== 'activity' ? lastMessage.id : null;
  const followedOwn = useRef<string | null>(lastOwnId);
  useEffect(() => {
    if (lastOwnId === null || followedOwn.current === lastOwnId) return;
    followedOwn.current = lastOwnId;
    scrollToEnd();
  }, [lastOwnId, scrollToEnd]);

  // New inbound messages are announced one by one to a screen reader; the history is not.
  const [announcement, setAnnouncement] = useState('');
  const announcedUpTo = useRef<number | null>(null);
  useEffect(() => {
    if (lastMessage === undefined) return;
    const upTo = announcedUpTo.current;
    announcedUpTo.current = Math.max(upTo ?? 0, lastMessage.createdAt);
    if (upTo === null || lastMessage.createdAt <= upTo || lastMessage.direction !== 'inbound') return;
    setAnnouncement(t('thread.announce', { name: contactName, preview: messagePreview(lastMessage, lang) }));
  }, [lastMessage, contactName, lang, t]);

  // Bring a message into view and light it up: widening the window first when it is above it.
  const pendingScroll = useRef<string | null>(null);
  const scrollToPending = useCallback(
    (shown: readonly ThreadItem[]) => {
      const id = pendingScroll.current;
      if (id === null) return;
      const index = shown.findIndex((item) => item.key === id);
      if (index === -1) return;
      pendingScroll.current = null;
      jumped.current = true;
      virtualizer.scrollToIndex(index, { align: 'center' });
      setHighlightedId(id);
      clearTimeout(highlightTimer.current);
      // Once the light goes out the list has settled where the jump left it: the end is
      // followed again (only while the agent is there).
      highlightTimer.current = setTimeout(() => {
        setHighlightedId(null);
        jumped.current = false;
        setFollowing(true);
      }, HIGHLIGHT_MS);
    },
    [virtualizer],
  );
  const reveal = thread.reveal;
  const jumpTo = useCallback(
    (target: MessageTarget) => {
      // A new jump puts out the light of the one before, whose end must not follow again now.
      clearTimeout(highlightTimer.current);
      setHighlightedId(null);
      setFollowing(false);
      void reveal(target).then(
        (found) => {
          if (found === undefined) {
            setFollowing(true);
            return;
          }
          pendingScroll.current = found.id;
          scrollToPending(latest.current.items);
        },
        () => setFollowing(true),
      );
    },
    [reveal, scrollToPending],
  );
  // A message above the window is scrolled to once the wider window is shown.
  useEffect(() => scrollToPending(items), [items, scrollToPending]);

  // A search result opens its conversation at the message it found.
  const focused = useRef<{ messageId: string } | null>(null);
  useEffect(() => {
    if (focus === null || focused.current === focus || messages === undefined) return;
    focused.current = focus;
    jumpTo({ messageId: focus.messageId, externalId: null });
  }, [focus, messages, jumpTo]);

  // What every row reads besides its own item: rows render again only when one of these
  // changes, not on each of the thread's many updates while it opens.
  const replyRef = useRef(onReply);
  const reactRef = useRef(onReact);
  useLayoutEffect(() => {
    replyRef.current = onReply;
    reactRef.current = onReact;
  });
  const replyTo = useCallback((message: Message) => replyRef.current(message), []);
  const reactTo = useCallback((message: Message, emoji: string) => reactRef.current(message, emoji), []);
  const rowContext = useMemo<RowContext>(
    () => ({
      quoted,
      templates,
      contactName,
      hasOlder: thread.hasOlder,
      online,
      activityNames,
      jumpTo,
      onReply: replyTo,
      onReact: reactTo,
    }),
    [quoted, templates, contactName, thread.hasOlder, online, activityNames, jumpTo, replyTo, reactTo],
  );

  const shownRef = useRef(onShown);
  useLayoutEffect(() => {
    shownRef.current = onShown;
  });
  const rows = virtualizer.getVirtualItems();
  const firstRendered = rows[0]?.index;
  const lastRendered = rows.at(-1)?.index;
  // Shown once the newest row is in the page (or the thread turned out empty).
  const empty = messages?.length === 0;
  useEffect(() => {
    if (empty || (lastRendered !== undefined && lastRendered === items.length - 1)) shownRef.current?.();
  }, [empty, lastRendered, items.length]);
  // Older messages are asked for while the first row is near the view: again each time what
  // was asked for has come (a new first row, or the server's page answered), until there is
  // nothing older.
  const loadOlder = thread.loadOlder;
  const firstKey = items[0]?.key ?? null;
  const nearStart = firstRendered === 0 && firstKey !== null;
  useEffect(() => {
    if (nearStart && thread.hasOlder && !thread.fetching) loadOlder();
  }, [nearStart, firstKey, thread.hasOlder, thread.fetching, loadOlder]);

  const context = useMemo<LogContext>(
    () => ({ fetching: thread.fetching, hasOlder: thread.hasOlder, empty: messages?.length === 0 }),
    [thread.fetching, thread.hasOlder, messages],
  );

  return (
    <Box sx={{ flex: 1, position: 'relative', minHeight: 0, display: 'flex', flexDirection: 'column' }}>
      <MessageStyles />
      {messages !== undefined && (
        <div
          ref={scroller}
          role="log"
          aria-label={t('thread.log', { name: contactName })}
          aria-live="off"
          tabIndex={0}
          data-testid="message-log"
          style={{ flex: 1, overflowY: 'auto', overflowAnchor: 'none', contain: 'strict' }}
        >
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
            <div style={{ position: 'absolute', top: 0, left: 0, width: '100%' }}>
              <LogHeader context={context} />
            </div>
            {rows.map((row) => {
              const item = items[row.index];
              if (item === undefined) return null;
              return (
                <div
                  key={row.key}
                  ref={virtualizer.measureElement}
                  data-index={row.index}
                  style={{
                    position: 'absolute',
                    top: 0,
                    left: 0,
                    width: '100%',
                    transform: `translateY(${row.start}px)`,
                  }}
                >
                  <ThreadRow
                    item={item}
                    // Only a day's label follows the clock: the other rows stay as they are each minute.
                    now={item.kind === 'day' ? now : 0}
                    highlighted={item.kind === 'message' && highlightedId === item.message.id}
                    context={rowContext}
                  />
                </div>
              );
            })}
          </div>
        </div>
      )}
      {unseen > 0 && (
        <Button
          variant="contained"
          size="small"
          onClick={scrollToEnd}
          endIcon={<ArrowDownwardIcon />}
          data-testid="new-messages-button"
          sx={{ position: 'absolute', bottom: 12, left: '50%', transform: 'translateX(-50%)', borderRadius: 4 }}
        >
          {tn('thread.newMessages', unseen)}
        </Button>
      )}
      <Box
        role="status"
        aria-live="polite"
        data-testid="thread-announcer"
        sx={{
          position: 'absolute',
          width: '1px',
          height: '1px',
          overflow: 'hidden',
          clip: 'rect(0 0 0 0)',
          whiteSpace: 'nowrap',
        }}
      >
        {announcement}
      </Box>
    </Box>
  );
}
