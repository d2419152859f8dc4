import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Agent } from '@parley/protocol';
import { describeError } from '../common/errors.js';
import { databaseName, type ParleyDb } from '../data/db.js';
import { discardDrafts } from '../data/drafts.js';
import type { LocalDataNotice } from '../data/open.js';
import { openDatabase, takeOpenedDatabase } from './boot.js';
import type { Desktop } from '../platform/desktop.js';
import type { Arrivals, ConnectionState, EngineFailure, SyncEngine } from '../sync/engine.js';

const connecting: ConnectionState = { kind: 'connecting' };

export type LocalData =
  | { kind: 'opening' }
  | { kind: 'open'; db: ParleyDb; notice: LocalDataNotice | null }
  /** IndexedDB itself is missing or refused us: nothing can be cached on this device. */
  | { kind: 'unavailable'; message: string };

/**
 * Opens the agent's local database (rebuilding it if it cannot be opened) and runs the sync
 * engine for as long as the inbox is shown.
 */
export function useSyncEngine(
  desktop: Desktop,
  agent: Agent,
  onSignedOut: (failure: EngineFailure) => void,
  /** Told of customers' new messages, with the database they were stored in. */
  /** What arrived in a live batch or a catch-up; a window that announces nothing passes none. */
  onArrivals: ((db: ParleyDb, arrivals: Arrivals) => void) | undefined,
): { data: LocalData; engine: SyncEngine | null; state: ConnectionState } {
  // The cache opened at start, when it is open already: the first render shows its rows.
  const [data, setData] = useState<LocalData>(() => {
    const ready = takeOpenedDatabase(databaseName(desktop.serverUrl, agent.id));
    return ready === null ? { kind: 'opening' } : { kind: 'open', db: ready.db, notice: ready.notice };
  });
  const takenRef = useRef(data.kind === 'open' ? data.db : null);
  const [engine, setEngine] = useState<SyncEngine | null>(null);
  // The engine lives longer than one render's callback: it calls the latest one.
  const arrivalsRef = useRef(onArrivals);
  useEffect(() => {
    arrivalsRef.current = onArrivals;
  }, [onArrivals]);

  useEffect(() => {
    let disposed = false;
    let opened: ParleyDb | null = null;
    const taken = takenRef.current;
    takenRef.current = null;
    if (taken !== null) opened = taken;
    else {
      openDatabase(databaseName(desktop.serverUrl, agent.id)).then(
        ({ db, notice }) => {
          if (disposed) {
            db.close();
            return;
          }
          opened = db;
          setData({ kind: 'open', db, notice });
        },
        (error: unknown) => {
          if (!disposed) setData({ kind: 'unavailable', message: describeError(error) });
        },
      );
    }
    return () => {
      disposed = true;
      opened?.close();
    };
  }, [desktop, agent.id]);

  const db = data.kind === 'open' ? data.db : null;
  useEffect(() => {
    if (db === null) return;
    let disposed = false;
    let started: SyncEngine | null = null;
    // The engine's code (socket.io, the protocol's checks) loads beside the first rows, which
    // come from the cache and do not wait for it: this effect runs once they are committed.
    const loaded = import('../sync/engine.js');
    void Promise.all([desktop.getToken(), loaded]).then(([token, { SyncEngine }]) => {
      if (disposed) return;
      started = new SyncEngine({
        db,
        serverUrl: desktop.serverUrl,
        token,
        getToken: () => desktop.getToken(),
        clientName: `parley-${desktop.kind}/0.1.0`,
        onSignedOut: (failure) => {
          if (failure.reason !== 'account_deactivated') {
            onSignedOut(failure);
            return;
          }
          // A deactivated person may no longer read these customers' messages: the device
          // forgets them, the outbox too (nothing in it may be sent any more).
          discardDrafts(db);
          db.close();
          void db.delete().finally(() => onSignedOut(failure));
        },
        onInvalidPayload: (what, detail) => console.error(`Parley: invalid ${what} from the server`, detail),
        onArrivals: (arrivals) => arrivalsRef.current?.(db, arrivals),
      });
      started.start();
      setEngine(started);
    });
    return () => {
      disposed = true;
      started?.stop();
      setEngine(null);
    };
  }, [db, desktop, onSignedOut]);

  const state = useSyncExternalStore(engine?.subscribe ?? noopSubscribe, engine?.getState ?? (() => connecting));
  return { data, engine, state };
}

function noopSubscribe(): () => void {
  return () => undefined;
}
