import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import type { Agent } from '@parley/protocol';
import { useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import { onIdle } from '../../common/idle.js';
import { mark } from '../../common/marks.js';
import { SearchField } from '../../common/ui/SearchField.js';
import { useConversationIndex, useRowsSettled } from '../../data/conversationIndex.js';
import type { ParleyDb } from '../../data/db.js';
import { readAhead, readAheadMany } from '../../data/threadPrefetch.js';
import { useAgents, useChannelAccounts, useTeams } from '../../data/hooks.js';
import {
  defaultView,
  listOf,
  viewAllowed,
  viewKey,
  type ListFilters,
  type ListSort,
  type ViewId,
} from '../../domain/views.js';
import { SearchResults, useSearch } from '../search/index.js';
import { ConversationRows, type RowsHandle } from './ConversationRows.js';
import { ListFilterBar } from './ListFilterBar.js';
import { readListChoice, writeListChoice } from './listState.js';
import { useInboxViews } from './useInboxViews.js';
import { ViewTabs } from './ViewTabs.js';

/** The room the search field and the filter bar take (px), kept for them before they render. */
const SEARCH_ROOM = 56;
const FILTER_ROOM = 44;
/**
 * The conversations at the top of the list whose first screens are read ahead once the rows
 * show: the one an agent opens first after starting the app opens in the click's frame. Few,
 * so the conversations opened last keep their places among those kept.
 */
const READ_AHEAD_TOP = 3;
/** The longest the read ahead of the top rows waits for the page to be idle (ms). */
const READ_AHEAD_IDLE_MS = 1000;
/** The databases whose top rows were read ahead (one is opened each time the app starts or signs in). */
const topRead = new WeakSet<ParleyDb>();

/** What a query found, grouped (undefined while the worker looks). */
type Groups = ReturnType<typeof useSearch>;

/** What the shell's keyboard shortcuts ask of the list. */
export type ListHandle = {
  /** Puts keyboard focus on the list (on its current row). */
  focus(): void;
  /** Moves the current row by one, down (1) or up (-1), opening nothing. */
  move(delta: 1 | -1): void;
  /** Opens the current row's conversation. */
  openCurrent(): void;
  /** Puts keyboard focus in the search field. */
  focusSearch(): void;
};

/** Whether a key press is typing (in a field, an editor), not a shortcut. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.tagName === 'INPUT' ||
    target.tagName === 'TEXTAREA' ||
    target.tagName === 'SELECT'
  );
}

/**
 * The inbox list: the search field, the views with their counts, the filters and the
 * order, and the virtual list. While a query is typed, grouped results replace the list.
 */
export function ConversationList({
  db,
  me,
  view,
  onViewChange,
  handleRef,
  selectedId,
  onSelect,
  onOpenResult,
}: {
  db: ParleyDb;
  me: Agent;
  view: ViewId;
  onViewChange: (view: ViewId) => void;
  /** Receives the list's handle when it mounts, null when it unmounts. */
  handleRef?: (handle: ListHandle | null) => void;
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** A search result: its conversation, and the message found in it (null for a contact). */
  onOpenResult: (conversationId: string, messageId: string | null) => void;
}): JSX.Element {
  const { t } = useT();
  const [query, setQuery] = useState('');
  const [groups, setGroups] = useState<Groups>(undefined);
  // The search worker starts indexing once the first rows are on screen, not before them.
  const settled = useRowsSettled(db, me.id);
  const searchInput = useRef<HTMLInputElement>(null);
  const rows = useRef<RowsHandle>(null);

  // The view, filters and order this device chose last time.
  const [stored] = useState(() => readListChoice(me.id));
  const [filters, setFilters] = useState<ListFilters>(stored.filters);
  const [sort, setSort] = useState<ListSort>(stored.sort);
  const restored = useRef(false);
  // The screen's first view while it takes the restored one: never written, or another tab
  // starting at the same moment (a reload of both) would read it as this device's choice.
  const placeholder = useRef<string | null>(null);
  useEffect(() => {
    if (restored.current) return;
    restored.current = true;
    const start = stored.view !== null && viewAllowed(stored.view, me) ? stored.view : defaultView(me);
    if (viewKey(start) === viewKey(view)) return;
    placeholder.current = viewKey(view);
    onViewChange(start);
  }, [stored, me, view, onViewChange]);
  useEffect(() => {
    if (!restored.current) return;
    if (placeholder.current !== null) {
      if (placeholder.current === viewKey(view)) return;
      placeholder.current = null;
    }
    writeListChoice(me.id, { view, filters, sort });
  }, [me.id, view, filters, sort]);

  const focusSearch = useCallback(() => {
    searchInput.current?.focus();
    searchInput.current?.select();
  }, []);

  // `/` puts the cursor in the search field, unless the agent is typing somewhere.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      if (event.defaultPrevented) return;
      event.preventDefault();
      focusSearch();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [focusSearch]);

  const handle = useMemo<ListHandle>(
    () => ({
      focus: () => rows.current?.focus(),
      move: (delta) => rows.current?.move(delta),
      openCurrent: () => rows.current?.openCurrent(),
      focusSearch,
    }),
    [focusSearch],
  );
  useImperativeHandle(handleRef, () => handle, [handle]);

  const searching = query.trim() !== '';
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      {settled ? <SearchFeed db={db} query={query} onGroups={setGroups} /> : null}
      {/* The field, like the filters, follows the first rows a frame later, in the room kept for it. */}
      <Box sx={{ px: 1.5, pb: 1, pt: 1, minHeight: SEARCH_ROOM }}>
        {settled ? <SearchField value={query} onChange={setQuery} inputRef={searchInput} /> : null}
      </Box>
      {searching ? (
        groups === undefined ? (
          <LinearProgress aria-label={t('search.searching')} />
        ) : (
          <Box sx={{ flex: 1, minHeight: 0, overflowY: 'auto' }}>
            <SearchResults groups={groups} onOpen={onOpenResult} />
          </Box>
        )
      ) : (
        <Conversations
          db={db}
          me={me}
          view={view}
          onViewChange={onViewChange}
          filters={filters}
          onFiltersChange={setFilters}
          sort={sort}
          onSortChange={setSort}
          selectedId={selectedId}
          onSelect={onSelect}
          rowsRef={rows}
          settled={settled}
        />
      )}
    </Box>
  );
}

/** Keeps the search worker told of the cache's changes, and hands up what the query finds. */
function SearchFeed({
  db,
  query,
  onGroups,
}: {
  db: ParleyDb;
  query: string;
  onGroups: (groups: Groups) => void;
}): null {
  const groups = useSearch(db, query);
  useEffect(() => onGroups(groups), [groups, onGroups]);
  return null;
}

function Conversations({
  db,
  me,
  view,
  onViewChange,
  filters,
  onFiltersChange,
  sort,
  onSortChange,
  selectedId,
  onSelect,
  rowsRef,
  settled,
}: {
  db: ParleyDb;
  me: Agent;
  view: ViewId;
  onViewChange: (view: ViewId) => void;
  filters: ListFilters;
  onFiltersChange: (filters: ListFilters) => void;
  sort: ListSort;
  onSortChange: (sort: ListSort) => void;
  selectedId: string | null;
  onSelect: (id: string) => void;
  rowsRef: React.Ref<RowsHandle>;
  /** The first rows are on screen: the filters render too. */
  settled: boolean;
}): JSX.Element {
  const { t } = useT();
  const { index, version } = useConversationIndex(db, me.id);
  const views = useInboxViews(db, me);
  const teamList = useTeams(db);
  const agentList = useAgents(db);
  const inboxes = useChannelAccounts(db);
  const teams = useMemo(() => new Map((teamList ?? []).map((team) => [team.id, team])), [teamList]);
  const agents = useMemo(() => new Map((agentList ?? []).map((agent) => [agent.id, agent])), [agentList]);

  const live = useMemo(() => {
    void version;
    return listOf(index.conversations.values(), view, filters, sort, {
      viewer: { id: me.id, role: me.role, teamIds: me.teamIds },
      mentioned: index.mentioned,
    });
  }, [index, version, view, filters, sort, me.id, me.role, me.teamIds]);

  // Every label in use, for the label filter (a few dozen at most in practice).
  const labels = useMemo(() => {
    void version;
    if (!index.complete) return [];
    const all = new Set<string>();
    for (const conversation of index.conversations.values()) for (const label of conversation.labels) all.add(label);
    return [...all].sort((a, b) => a.localeCompare(b));
  }, [index, version]);

  // Once the first rows are on screen, the first screens of the top ones are read, when the
  // page is idle: once each time the app starts (a database opened), for the list as it
  // first shows. A list empty then (a first sign-in, before its first sync) reads nothing:
  // the conversations that arrive after are read ahead when pointed at.
  const top = settled && !topRead.has(db) ? live.slice(0, READ_AHEAD_TOP).map((conversation) => conversation.id) : null;
  const topKey = top?.join(' ') ?? null;
  useEffect(() => {
    if (topKey === null) return;
    return onIdle(() => {
      topRead.add(db);
      if (topKey !== '') void readAheadMany(db, topKey.split(' ')).then(() => mark('list:read-ahead'));
    }, READ_AHEAD_IDLE_MS);
  }, [db, topKey]);

  const current = views.find((entry) => entry.key === viewKey(view));
  const loading = !index.complete && index.conversations.size === 0;
  const empty = index.complete && index.conversations.size === 0;
  return (
    <>
      <ViewTabs views={views} value={viewKey(view)} onChange={onViewChange} />
      <Box sx={{ minHeight: FILTER_ROOM }}>
        {settled ? (
          <ListFilterBar
            filters={filters}
            onFiltersChange={onFiltersChange}
            sort={sort}
            onSortChange={onSortChange}
            teams={teamList ?? []}
            inboxes={inboxes ?? []}
            labels={labels}
          />
        ) : null}
      </Box>
      {loading ? (
        <LinearProgress aria-label={t('inbox.loading')} />
      ) : empty ? (
        <Typography color="text.secondary" sx={{ p: 3 }} data-testid="inbox-empty">
          {t('inbox.empty')}
        </Typography>
      ) : (
        <ConversationRows
          // Another view, filter or order is a new list: nothing held from the last one.
          key={`${viewKey(view)}|${JSON.stringify(filters)}|${sort}`}
          ref={rowsRef}
          index={index}
          live={live}
          teams={teams}
          agents={agents}
          meId={me.id}
          selectedId={selectedId}
          onSelect={onSelect}
          onLookAt={(id) => void readAhead(db, id)}
          label={current?.label ?? t('inbox.title')}
        />
      )}
    </>
  );
}
