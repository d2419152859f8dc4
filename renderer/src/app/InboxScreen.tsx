import LogoutIcon from '@mui/icons-material/Logout';
import AppBar from '@mui/material/AppBar';
import Avatar from '@mui/material/Avatar';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { failure, type Agent } from '@parley/protocol';
import { useMemo, useState, type JSX } from 'react';
import { ConnectionBanner, ConnectionStatus } from '../components/ConnectionStatus.js';
import type { ThreadActions } from '../conversation/actions.js';
import { ThreadView } from '../conversation/ThreadView.js';
import { useLastSyncedAt } from '../data/hooks.js';
import type { Desktop } from '../desktop/desktop.js';
import { ConversationList } from '../inbox/ConversationList.js';
import { MediaSourceContext, type MediaSource } from '../media/source.js';
import { t } from './i18n.js';
import { useSyncEngine } from './useSyncEngine.js';
import type { ParleyDb } from '../data/db.js';

export function InboxScreen({
  desktop,
  agent,
  onSignOut,
  onSignedOut,
}: {
  desktop: Desktop;
  agent: Agent;
  onSignOut: (db: ParleyDb) => void;
  onSignedOut: (message: string) => void;
}): JSX.Element {
  const { db, engine, state } = useSyncEngine(desktop, agent, onSignedOut);
  const lastSyncedAt = useLastSyncedAt(db);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const mediaSource = useMemo<MediaSource>(
    () => ({ serverUrl: desktop.serverUrl, getToken: () => desktop.getToken() }),
    [desktop],
  );
  const actions = useMemo<ThreadActions>(
    () => ({
      mutate: (mutation) =>
        engine === null ? Promise.resolve(failure('internal', t('mutation.offline'))) : engine.mutate(mutation),
      typing: (conversationId) => engine?.typing(conversationId),
    }),
    [engine],
  );

  return (
    <MediaSourceContext value={mediaSource}>
      <Box sx={{ height: '100vh', display: 'flex', flexDirection: 'column', bgcolor: 'background.default' }}>
        <AppBar position="static" elevation={0}>
          <Toolbar variant="dense" sx={{ gap: 2 }}>
            <Typography variant="h6" sx={{ fontWeight: 700 }}>
              {t('app.name')}
            </Typography>
            <Box sx={{ flex: 1 }} />
            <ConnectionStatus state={state} lastSyncedAt={lastSyncedAt} />
            <Tooltip title={`${agent.name} · ${t(`role.${agent.role}`)}`}>
              <Avatar
                sx={{ width: 30, height: 30, fontSize: 14, bgcolor: 'secondary.main' }}
                data-testid="agent-avatar"
              >
                {agent.name.slice(0, 1)}
              </Avatar>
            </Tooltip>
            <Tooltip title={t('menu.signOut')}>
              <IconButton color="inherit" onClick={() => onSignOut(db)} aria-label={t('menu.signOut')}>
                <LogoutIcon />
              </IconButton>
            </Tooltip>
          </Toolbar>
        </AppBar>
        <ConnectionBanner state={state} />
        <Box sx={{ flex: 1, display: 'flex', minHeight: 0 }}>
          <Paper
            square
            elevation={0}
            sx={{ width: 360, flexShrink: 0, overflowY: 'auto', borderRight: 1, borderColor: 'divider' }}
          >
            <Typography variant="overline" color="text.secondary" sx={{ px: 2, pt: 1.5, display: 'block' }}>
              {t('inbox.title')}
            </Typography>
            <ConversationList db={db} selectedId={selectedId} onSelect={setSelectedId} />
          </Paper>
          <ThreadView db={db} conversationId={selectedId} actions={actions} online={state.kind === 'online'} />
        </Box>
      </Box>
    </MediaSourceContext>
  );
}
