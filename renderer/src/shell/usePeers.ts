import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { ConversationPeers } from '@parley/protocol';
import type { SyncEngine } from '../sync/engine.js';

const NOBODY: ConversationPeers = { conversationId: '', viewerIds: [], typingIds: [] };
const noSubscribe = (): (() => void) => () => undefined;

/**
 * Tells the server which thread is on screen, and reads who else views or types in it.
 * Best effort: with no engine (opening, signed out) nobody is shown.
 */
export function usePeers(engine: SyncEngine | null, conversationId: string | null): ConversationPeers {
  useEffect(() => {
    engine?.view(conversationId);
  }, [engine, conversationId]);
  useEffect(() => () => engine?.view(null), [engine]);
  const subscribe = useCallback(
    (listener: () => void) => (engine === null ? noSubscribe() : engine.peers.subscribe(listener)),
    [engine],
  );
  return useSyncExternalStore(subscribe, () =>
    engine === null || conversationId === null ? NOBODY : engine.peers.get(conversationId),
  );
}
