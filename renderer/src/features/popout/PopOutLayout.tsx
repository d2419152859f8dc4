import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import { refusal, type Agent } from '@parley/protocol';
import { useLiveQuery } from 'dexie-react-hooks';
import { Suspense, useMemo, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import type { ParleyDb } from '../../data/db.js';
import { useAgent } from '../../data/hooks.js';
import type { ThreadActions } from '../../domain/actions.js';
import { PopOutContext, type Desktop } from '../../platform/desktop.js';
import { MediaSourceContext, type MediaSource } from '../../platform/media.js';
import type { ConnectionState, SyncEngine } from '../../sync/engine.js';
import { ConversationActionsProvider, ThreadView } from '../conversation/index.js';

/**
 * A conversation in a window of its own: its thread and composer, nothing else. It reads
 * the same cache as the main window and sends through its own sync engine, so both show
 * the same thing as it happens. A conversation the cache does not hold is said, in words.
 */
export function PopOutLayout({
  db,
  desktop,
  agent,
  engine,
  state,
  conversationId,
}: {
  db: ParleyDb;
  desktop: Desktop;
  agent: Agent;
  engine: SyncEngine | null;
  state: ConnectionState;
  conversationId: string;
}): JSX.Element {
  const { t } = useT();
  // The agent as the cache knows them now (their role may have changed since signing in).
  const me = useAgent(db, agent.id);
  // null: not in the cache; undefined: still reading.
  const cached = useLiveQuery(
    async () => ((await db.conversations.get(conversationId)) === undefined ? null : true),
    [db, conversationId],
  );
  const mediaSource = useMemo<MediaSource>(
    () => ({ serverUrl: desktop.serverUrl, getToken: () => desktop.getToken() }),
    [desktop],
  );
  const actions = useMemo<ThreadActions>(
    () => ({
      mutate: (mutation) =>
        engine === null ? Promise.resolve(refusal('internal', 'offline')) : engine.mutate(mutation),
      typing: (id) => engine?.typing(id),
    }),
    [engine],
  );
  return (
    <MediaSourceContext value={mediaSource}>
      {/* This window shows one conversation already: its header offers no pop-out. */}
      <PopOutContext value={null}>
        <ConversationActionsProvider db={db} me={me ?? agent} conversationId={conversationId}>
          <Box
            component="main"
            aria-label={t('desktop.popOut.region')}
            data-testid="popout-layout"
            sx={{ height: '100vh', display: 'flex', flexDirection: 'column', bgcolor: 'background.default' }}
          >
            {cached === null ? (
              <Box sx={{ flex: 1, display: 'grid', placeItems: 'center', p: 4 }}>
                <Alert severity="warning" role="alert" data-testid="popout-missing">
                  {t('desktop.popOut.missing')}
                </Alert>
              </Box>
            ) : (
              <Box sx={{ flex: 1, display: 'flex', minHeight: 0 }}>
                <Suspense fallback={<Box sx={{ flex: 1 }} />}>
                  <ThreadView
                    db={db}
                    conversationId={conversationId}
                    actions={actions}
                    online={state.kind === 'online'}
                    agentId={agent.id}
                    focus={null}
                  />
                </Suspense>
              </Box>
            )}
          </Box>
        </ConversationActionsProvider>
      </PopOutContext>
    </MediaSourceContext>
  );
}
