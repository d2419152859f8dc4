import type { Socket } from 'socket.io';
import { PROTOCOL_VERSION } from '@parley/protocol';
import type { ConnectionState, SyncEngine } from '../../renderer/src/sync/engine.js';

/** A scripted server's answer to `hello`: welcome, as a server of this protocol version. */
export function answerHello(socket: Socket): void {
  socket.on('hello', (_hello: unknown, ack: (reply: unknown) => void) => {
    ack({
      ok: true,
      protocolVersion: PROTOCOL_VERSION,
      agent: {
        id: 'a1',
        email: 'a@example.com',
        name: 'A',
        role: 'agent',
        kind: 'person',
        presence: 'online',
        presenceAt: null,
        active: true,
        capacity: 5,
        teamIds: [],
        seq: 1,
      },
      head: 1,
    });
  });
}

/** Resolves once the engine's connection state satisfies `predicate`; fails with the last state. */
export function untilState(
  engine: SyncEngine,
  predicate: (state: ConnectionState) => boolean,
  timeoutMs = 20_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate(engine.getState())) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`state is still ${JSON.stringify(engine.getState())}`));
    }, timeoutMs);
    const unsubscribe = engine.subscribe(() => {
      if (predicate(engine.getState())) {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  });
}
