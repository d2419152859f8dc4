import { useEffect, useState, useSyncExternalStore } from 'react';
import type { Agent } from '@parley/protocol';
import { ParleyDb, databaseName } from '../data/db.js';
import type { Desktop } from '../desktop/desktop.js';
import { SyncEngine, type ConnectionState } from '../sync/engine.js';

const offline: ConnectionState = { kind: 'connecting' };

/** Opens the agent's local database and runs the sync engine for as long as the inbox is shown. */
export function useSyncEngine(
  desktop: Desktop,
  agent: Agent,
  onSignedOut: (message: string) => void,
): { db: ParleyDb; engine: SyncEngine | null; state: ConnectionState } {
  const [db] = useState(() => new ParleyDb(databaseName(desktop.serverUrl, agent.id)));
  const [engine, setEngine] = useState<SyncEngine | null>(null);

  useEffect(() => {
    let disposed = false;
    let started: SyncEngine | null = null;
    void desktop.getToken().then((token) => {
      if (disposed) return;
      started = new SyncEngine({
        db,
        serverUrl: desktop.serverUrl,
        token,
        clientName: `parley-${desktop.kind}/0.1.0`,
        onSignedOut,
        onInvalidPayload: (what, detail) => console.error(`Parley: invalid ${what} from the server`, detail),
      });
      started.start();
      setEngine(started);
    });
    return () => {
      disposed = true;
      started?.stop();
    };
  }, [db, desktop, onSignedOut]);

  const state = useSyncExternalStore(engine?.subscribe ?? noopSubscribe, engine?.getState ?? (() => offline));
  return { db, engine, state };
}

function noopSubscribe(): () => void {
  return () => undefined;
}
