import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Alert from '@mui/material/Alert';
import CircularProgress from '@mui/material/CircularProgress';
import Paper from '@mui/material/Paper';
import Snackbar from '@mui/material/Snackbar';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import { refusal, type Agent } from '@parley/protocol';
import { Suspense, useCallback, useEffect, useMemo, useRef, useState, type JSX } from 'react';
import { ConnectionBanner } from './ConnectionStatus.js';
import type { ThreadActions } from '../domain/actions.js';
import { ConversationActionsProvider, ThreadView } from '../features/conversation/index.js';
import { useAgent, useEviction, useLastSyncedAt, useTeams } from '../data/hooks.js';
import type { LocalDataNotice } from '../data/open.js';
import type { ConnectionState, EngineFailure, SyncEngine } from '../sync/engine.js';
import type { Desktop } from '../platform/desktop.js';
import { ConversationList, type ListHandle } from '../features/inbox/index.js';
import { ContactPanel } from '../features/contacts/index.js';
import { viewKey, type ViewId } from '../domain/views.js';
import { MediaSourceContext, type MediaSource } from '../platform/media.js';
import { useT, type Translator } from '../common/i18n/index.js';
import {
  summaryText,
  useAnnouncements,
  useDesktopShell,
  useMentionAnnouncements,
  type Summary,
} from '../features/notifications/index.js';
import { CannedResponsesPanel } from '../features/cannedResponses/index.js';
import { useSyncEngine } from './useSyncEngine.js';
import { AdminScreen } from '../features/admin/index.js';
import { SupervisorScreen } from '../features/supervisor/index.js';
import type { ServerAccess } from '../platform/http.js';
import { ScreenTabs, type Screen } from './ScreenTabs.js';
import { usePeers } from './usePeers.js';
import type { ParleyDb } from '../data/db.js';
import { useRowsSettled } from '../data/conversationIndex.js';
import { CommandPalette, ShortcutHelp } from '../features/palette/index.js';
import { KeyboardLayer, type Dialog } from './KeyboardLayer.js';
import { whenIdle } from './whenIdle.js';
import { SettingsDialog } from '../features/settings/index.js';
import { ShellBarActions } from './ShellBarActions.js';
import { listFallback } from './listFallback.js';
import { ConversationRequests } from '../features/desktop/index.js';
import { PopOutLayout } from '../features/popout/index.js';
import { popOutConversationId } from '../platform/desktop.js';

export function InboxScreen({
  desktop,
  agent,
  onSignOut,
  onSignedOut,
}: {
  desktop: Desktop;
  agent: Agent;
  onSignOut: (db: ParleyDb) => void;
  onSignedOut: (failure: EngineFailure) => void;
}): JSX.Element {
  const { t } = useT();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  // A message to bring into view in the selected conversation: a search result's.
  const [focus, setFocus] = useState<{ messageId: string } | null>(null);
  const select = useCallback((conversationId: string) => {
    setFocus(null);
    setSelectedId(conversationId);
  }, []);
  const openResult = useCallback((conversationId: string, messageId: string | null) => {
    setFocus(messageId === null ? null : { messageId });
    setSelectedId(conversationId);
  }, []);
  const [popOut] = useState(() => popOutConversationId());
  const { onArrivals, summary, dismissSummary } = useAnnouncements(desktop, agent, selectedId, select);
  // The main window announces what arrives; a pop-out window would say it all a second time.
  const { data, engine, state } = useSyncEngine(desktop, agent, onSignedOut, popOut === null ? onArrivals : undefined);

  if (data.kind === 'opening') {
    return (
      <Box sx={{ height: '100vh', display: 'grid', placeItems: 'center' }}>
        <CircularProgress aria-label={t('status.connecting')} />
      </Box>
    );
  }
  if (data.kind === 'unavailable') {
    return (
      <Box sx={{ height: '100vh', display: 'grid', placeItems: 'center', p: 4 }}>
        <Alert severity="error" data-testid="storage-unavailable">
          {t('data.unavailable', { detail: data.message })}
        </Alert>
      </Box>
    );
  }
  if (popOut !== null) {
    return (
      <PopOutLayout
        db={data.db}
        desktop={desktop}
        agent={agent}
        engine={engine}
        state={state}
        conversationId={popOut}
      />
    );
  }
  return (
    <Inbox
      db={data.db}
      notice={data.notice}
      desktop={desktop}
      agent={agent}
      engine={engine}
      state={state}
      selectedId={selectedId}
      focus={focus}
      onSelect={select}
      onOpenResult={openResult}
      summary={summary}
      onDismissSummary={dismissSummary}
      onSignOut={onSignOut}
    />
  );
}

function Inbox({
  db,
  notice,
  desktop,
  agent,
  engine,
  state,
  selectedId,
  focus,
  onSelect,
  onOpenResult,
  summary,
  onDismissSummary,
  onSignOut,
}: {
  db: ParleyDb;
  notice: LocalDataNotice | null;
  desktop: Desktop;
  agent: Agent;
  engine: SyncEngine | null;
  state: ConnectionState;
  selectedId: string | null;
  focus: { messageId: string } | null;
  onSelect: (conversationId: string) => void;
  onOpenResult: (conversationId: string, messageId: string | null) => void;
  summary: Summary | null;
  onDismissSummary: () => void;
  onSignOut: (db: ParleyDb) => void;
}): JSX.Element {
  const translator = useT();
  const { t, tn, lang } = translator;
  const lastSyncedAt = useLastSyncedAt(db);
  const rowsSettled = useRowsSettled(db, agent.id);
  useEffect(
    () =>
      whenIdle(() =>
        [ThreadView, ContactPanel, CommandPalette, ShortcutHelp, SettingsDialog, CannedResponsesPanel].forEach(
          (part) => void part.preload(),
        ),
      ),
    [],
  );
  useMentionAnnouncements(db, desktop, agent, selectedId, onSelect);
  const eviction = useEviction(db);
  // Evictions are told in the session they happen in, not on every start after.
  const [openedAt] = useState(() => Date.now());
  const [dismissed, setDismissed] = useState<{ notice: boolean; evictedAt: number | null }>({
    notice: false,
    evictedAt: null,
  });
  const mediaSource = useMemo<MediaSource>(
    () => ({ serverUrl: desktop.serverUrl, getToken: () => desktop.getToken() }),
    [desktop],
  );
  const actions = useMemo<ThreadActions>(
    () => ({
      mutate: (mutation) =>
        engine === null ? Promise.resolve(refusal('internal', 'offline')) : engine.mutate(mutation),
      typing: (conversationId) => engine?.typing(conversationId),
    }),
    [engine],
  );
  const [screen, setScreen] = useState<Screen>('inbox');
  const [presenceError, setPresenceError] = useState<string | null>(null);
  const me = useAgent(db, agent.id);
  // The desktop shell's side: native notifications, the badge, the tray's and the system's presence.
  useDesktopShell({
    db,
    desktop,
    agent: me ?? agent,
    presence: me?.presence ?? 'offline',
    setPresence: (presence) =>
      engine === null ? Promise.resolve(refusal('internal', 'offline')) : engine.setPresence(presence),
    selectedId,
    select: onSelect,
  });
  // The thread on screen is the one colleagues see this agent in; none on the other screens.
  const peers = usePeers(engine, screen === 'inbox' ? selectedId : null);
  const access = useMemo<ServerAccess>(
    () => ({ serverUrl: desktop.serverUrl, getToken: () => desktop.getToken() }),
    [desktop],
  );
  const role = me?.role ?? agent.role;
  const [view, setView] = useState<ViewId>({ kind: 'mine' });
  const [contactOpen, setContactOpen] = useState(true);
  const listHandle = useRef<ListHandle | null>(null);
  const setListHandle = useCallback((handle: ListHandle | null) => {
    listHandle.current = handle;
  }, []);
  const listRegion = useRef<HTMLElement | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const teams = useTeams(db);
  const signOut = useCallback(() => onSignOut(db), [onSignOut, db]);
  const setPresence = useCallback(
    (presence: 'online' | 'away') =>
      engine === null ? Promise.resolve(refusal('internal', 'offline')) : engine.setPresence(presence),
    [engine],
  );
  const toggleContact = useCallback(() => setContactOpen((open) => !open), []);
  const openPalette = useCallback(() => setDialog('palette'), []);
  const openSettings = useCallback(() => setDialog('settings'), []);
  const openHelp = useCallback(() => setDialog('help'), []);
  const showEviction = eviction !== undefined && eviction.at >= openedAt && dismissed.evictedAt !== eviction.at;

  return (
    <MediaSourceContext value={mediaSource}>
      <ConversationActionsProvider db={db} me={me ?? agent} conversationId={screen === 'inbox' ? selectedId : null}>
        <Box sx={{ height: '100vh', display: 'flex', flexDirection: 'column', bgcolor: 'background.default' }}>
          <AppBar position="static" elevation={0}>
            <Toolbar variant="dense" sx={{ gap: 2 }}>
              <Typography variant="h6" sx={{ fontWeight: 700 }}>
                {t('app.name')}
              </Typography>
              <ScreenTabs role={role} screen={screen} onChange={setScreen} />
              <Box sx={{ flex: 1 }} />
              {/* The rest of the bar follows the list's first rows, a frame later. */}
              {rowsSettled || selectedId !== null ? (
                <ShellBarActions
                  state={state}
                  lastSyncedAt={lastSyncedAt}
                  agent={me ?? agent}
                  presence={me?.presence ?? 'offline'}
                  onPresence={setPresence}
                  onPresenceRefused={setPresenceError}
                  onPalette={openPalette}
                  contactToggle={screen === 'inbox' ? contactOpen : null}
                  onToggleContact={toggleContact}
                  onSettings={openSettings}
                  onShortcuts={openHelp}
                  onSignOut={signOut}
                />
              ) : null}
            </Toolbar>
          </AppBar>
          <ConnectionBanner state={state} />
          {notice !== null && !dismissed.notice ? (
            <Alert
              severity={notice.kind === 'rebuilt' && notice.lostOutbox !== 0 ? 'warning' : 'info'}
              square
              role="status"
              data-testid="local-data-notice"
              data-kind={notice.kind}
              onClose={() => setDismissed((previous) => ({ ...previous, notice: true }))}
            >
              {localDataText(notice, translator)}
            </Alert>
          ) : null}
          {showEviction ? (
            <Alert
              severity="info"
              square
              role="status"
              data-testid="eviction-notice"
              onClose={() => setDismissed((previous) => ({ ...previous, evictedAt: eviction.at }))}
            >
              {tn('data.evicted', eviction.count)}
            </Alert>
          ) : null}
          {screen === 'supervisor' && role !== 'agent' ? (
            <Suspense fallback={<Box sx={{ flex: 1 }} />}>
              <SupervisorScreen
                db={db}
                me={me ?? agent}
                access={access}
                mutate={actions.mutate}
                onOpen={(conversationId) => {
                  setScreen('inbox');
                  onSelect(conversationId);
                }}
              />
            </Suspense>
          ) : screen === 'admin' && role === 'admin' ? (
            <Suspense fallback={<Box sx={{ flex: 1 }} />}>
              <AdminScreen db={db} me={me ?? agent} access={access} />
            </Suspense>
          ) : (
            <Box sx={{ flex: 1, display: 'flex', minHeight: 0 }}>
              <Paper
                ref={listRegion}
                data-view={viewKey(view)}
                square
                elevation={0}
                component="nav"
                aria-label={t('inbox.title')}
                sx={{
                  width: 380,
                  flexShrink: 0,
                  display: 'flex',
                  flexDirection: 'column',
                  minHeight: 0,
                  borderRight: 1,
                  borderColor: 'divider',
                }}
              >
                <ConversationList
                  db={db}
                  me={me ?? agent}
                  view={view}
                  onViewChange={setView}
                  handleRef={setListHandle}
                  selectedId={selectedId}
                  onSelect={onSelect}
                  onOpenResult={onOpenResult}
                />
              </Paper>
              {/* The thread's code loads once the list's first rows are on screen, or a conversation is opened. */}
              {rowsSettled || selectedId !== null ? (
                <Suspense fallback={<Box sx={{ flex: 1 }} />}>
                  <ThreadView
                    db={db}
                    conversationId={selectedId}
                    actions={actions}
                    online={state.kind === 'online'}
                    agentId={agent.id}
                    focus={focus}
                    peers={peers}
                  />
                </Suspense>
              ) : (
                <Box sx={{ flex: 1 }} />
              )}
              {selectedId !== null && contactOpen ? (
                <Suspense fallback={null}>
                  <ContactPanel
                    db={db}
                    me={me ?? agent}
                    conversationId={selectedId}
                    actions={actions}
                    onOpenConversation={onSelect}
                    onClose={() => setContactOpen(false)}
                  />
                </Suspense>
              ) : null}
            </Box>
          )}
        </Box>
        <Snackbar
          open={presenceError !== null}
          onClose={() => setPresenceError(null)}
          autoHideDuration={8000}
          anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
        >
          <Alert severity="error" variant="filled" onClose={() => setPresenceError(null)} role="alert">
            {presenceError ?? ''}
          </Alert>
        </Snackbar>
        <Snackbar
          open={summary !== null}
          onClose={(_, reason) => {
            if (reason !== 'clickaway') onDismissSummary();
          }}
          autoHideDuration={12_000}
          anchorOrigin={{ vertical: 'bottom', horizontal: 'left' }}
        >
          <Alert
            severity="info"
            variant="filled"
            onClose={onDismissSummary}
            data-testid="arrivals-summary"
            role="status"
          >
            {summary === null ? '' : `${t('arrivals.summaryTitle')}: ${summaryText(summary, lang)}`}
          </Alert>
        </Snackbar>
        <ConversationRequests desktop={desktop} db={db} onOpen={(id) => (setScreen('inbox'), onSelect(id))} />
        <KeyboardLayer
          db={db}
          me={me ?? agent}
          role={role}
          teams={teams ?? []}
          dialog={dialog}
          setDialog={setDialog}
          list={() => listHandle.current ?? (listRegion.current === null ? null : listFallback(listRegion.current))}
          listRegion={() => listRegion.current}
          setView={setView}
          setScreen={setScreen}
          toggleContactPanel={toggleContact}
          signOut={signOut}
          onOpenConversation={(conversationId) => {
            setScreen('inbox');
            onSelect(conversationId);
          }}
        />
        {dialog === 'settings' ? (
          <Suspense fallback={null}>
            <SettingsDialog
              open
              onClose={() => setDialog(null)}
              cannedResponses={<CannedResponsesPanel db={db} me={me ?? agent} mutate={actions.mutate} />}
            />
          </Suspense>
        ) : null}
      </ConversationActionsProvider>
    </MediaSourceContext>
  );
}

/** The notice about the cache, in words: what happened and what became of the outbox. */
function localDataText(notice: LocalDataNotice, { t, tn }: Translator): string {
  if (notice.kind === 'resynced') return t('data.resynced');
  const parts = [t('data.rebuilt')];
  if (notice.keptOutbox > 0) parts.push(tn('data.outboxKept', notice.keptOutbox));
  if (notice.lostOutbox === 'unknown') parts.push(t('data.outboxUnknown'));
  else if (notice.lostOutbox > 0) parts.push(tn('data.outboxLost', notice.lostOutbox));
  return parts.join(' ');
}
