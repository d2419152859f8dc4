import CircularProgress from '@mui/material/CircularProgress';
import Box from '@mui/material/Box';
import type { Agent, LoginResponse } from '@parley/protocol';
import { Suspense, useCallback, useEffect, useRef, useState, type JSX } from 'react';
import type { ParleyDb } from '../data/db.js';
import { discardDrafts } from '../data/drafts.js';
import type { Desktop } from '../platform/desktop.js';
import { logout } from '../platform/api.js';
import type { EngineFailure } from '../sync/engine.js';
import { InboxScreen } from './InboxScreen.js';
import { LoginScreen } from '../features/auth/index.js';
import { clearSession, saveSession } from '../platform/session.js';
import { startApp, startedNow } from './boot.js';
import { useSystemLanguage } from './useSystemLanguage.js';
import { useAppearance } from './useAppearance.js';
import { useSettings } from '../features/settings/index.js';

type Phase =
  | { kind: 'starting' }
  | { kind: 'signedOut'; desktop: Desktop; notice: EngineFailure | null }
  | { kind: 'signedIn'; desktop: Desktop; agent: Agent };

export function App(): JSX.Element {
  // Rendered once the start has finished (main.tsx): the first render is already the inbox.
  const [phase, setPhase] = useState<Phase>(() => {
    const now = startedNow();
    return now === null ? { kind: 'starting' } : startedPhase(now.desktop, now.agent);
  });
  const settings = useSettings();
  useSystemLanguage(settings.language);
  useAppearance(settings.theme);

  const startedAtFirstRender = useRef(phase.kind !== 'starting');
  useEffect(() => {
    // Rendered from a finished start, the first render already holds what it found.
    if (startedAtFirstRender.current) return;
    void (async () => {
      // The inbox opens from the cache at once, whether or not the server answers.
      const { desktop, agent } = await startApp();
      setPhase(startedPhase(desktop, agent));
    })();
  }, []);

  const signedIn = useCallback(
    (desktop: Desktop) =>
      async ({ token, refreshToken, agent }: LoginResponse): Promise<void> => {
        // Still inside the gesture that signed in: the one moment a browser lets us ask.
        desktop.requestNotifications();
        await desktop.setToken(token, refreshToken);
        await saveSession(desktop.serverUrl, agent);
        setPhase({ kind: 'signedIn', desktop, agent });
      },
    [],
  );

  const signedOut = useCallback(
    (desktop: Desktop) =>
      (notice: EngineFailure): void => {
        // The session ended on the server: ask to sign in again, but keep the local cache
        // and anything waiting to be sent.
        void clearSession(desktop.serverUrl).then(() => setPhase({ kind: 'signedOut', desktop, notice }));
      },
    [],
  );

  const signOut = useCallback(
    (desktop: Desktop) =>
      (db: ParleyDb): void => {
        void (async () => {
          const token = await desktop.getToken();
          await logout(desktop.serverUrl, token).catch(() => undefined);
          await desktop.clearToken();
          discardDrafts(db);
          db.close();
          // Signing out deletes this agent's local data from the device.
          await db.delete();
          await clearSession(desktop.serverUrl);
          setPhase({ kind: 'signedOut', desktop, notice: null });
        })();
      },
    [],
  );

  if (phase.kind === 'starting') return <Starting />;
  if (phase.kind === 'signedOut') {
    return (
      <Suspense fallback={<Starting />}>
        <LoginScreen
          serverUrl={phase.desktop.serverUrl}
          notice={phase.notice}
          onSignedIn={(session) => void signedIn(phase.desktop)(session)}
        />
      </Suspense>
    );
  }
  return (
    <InboxScreen
      key={phase.agent.id}
      desktop={phase.desktop}
      agent={phase.agent}
      onSignOut={signOut(phase.desktop)}
      onSignedOut={signedOut(phase.desktop)}
    />
  );
}

function startedPhase(desktop: Desktop, agent: Agent | null): Phase {
  return agent === null ? { kind: 'signedOut', desktop, notice: null } : { kind: 'signedIn', desktop, agent };
}

function Starting(): JSX.Element {
  return (
    <Box sx={{ height: '100vh', display: 'grid', placeItems: 'center' }}>
      <CircularProgress />
    </Box>
  );
}
