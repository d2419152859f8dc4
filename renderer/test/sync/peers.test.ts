import { describe, expect, it } from 'vitest';
import type { SyncLink } from '../../src/sync/link.js';
import { PeerTracker, sendPresence } from '../../src/sync/peers.js';

type Emitted = { event: string; payload: unknown };

/** Just enough of a link for the tracker: a socket that records what is emitted. */
function fakeLink(options: { connected?: boolean; ready?: boolean; ack?: unknown } = {}): {
  link: SyncLink;
  emitted: Emitted[];
  invalid: string[];
} {
  const emitted: Emitted[] = [];
  const invalid: string[] = [];
  const socket = {
    connected: options.connected ?? true,
    emit: (event: string, payload: unknown) => emitted.push({ event, payload }),
    timeout: () => ({
      emitWithAck: (event: string, payload: unknown) => {
        emitted.push({ event, payload });
        return Promise.resolve(options.ack);
      },
    }),
  };
  const link = {
    options: { onInvalidPayload: (what: string) => invalid.push(what) },
    timeoutMs: 1000,
    socket: () => socket,
    ready: () => options.ready ?? true,
  } as unknown as SyncLink;
  return { link, emitted, invalid };
}

describe('PeerTracker', () => {
  it('tells the server the thread on screen once per change, and again on announce', () => {
    const { link, emitted } = fakeLink();
    const tracker = new PeerTracker(link);
    tracker.view('c1');
    tracker.view('c1');
    tracker.view(null);
    tracker.announce();
    expect(emitted).toEqual([
      { event: 'conversation:view', payload: { conversationId: 'c1' } },
      { event: 'conversation:view', payload: { conversationId: null } },
      { event: 'conversation:view', payload: { conversationId: null } },
    ]);
  });

  it('sends nothing while disconnected', () => {
    const { link, emitted } = fakeLink({ connected: false });
    new PeerTracker(link).view('c1');
    expect(emitted).toEqual([]);
  });

  it('keeps who else is in each conversation, ignores malformed events, and forgets all on clear', () => {
    const { link, invalid } = fakeLink();
    const tracker = new PeerTracker(link);
    let told = 0;
    tracker.subscribe(() => (told += 1));
    expect(tracker.get('c1')).toEqual({ conversationId: '', viewerIds: [], typingIds: [] });
    tracker.receive({ conversationId: 'c1', viewerIds: ['ana'], typingIds: ['ana'] });
    tracker.receive({ conversationId: 'c1', viewerIds: 'ana' });
    expect(invalid).toEqual(['conversation:peers']);
    expect(tracker.get('c1')).toEqual({ conversationId: 'c1', viewerIds: ['ana'], typingIds: ['ana'] });
    // The same object until it changes, so React does not render for nothing.
    expect(tracker.get('c1')).toBe(tracker.get('c1'));
    tracker.clear();
    expect(tracker.get('c1').viewerIds).toEqual([]);
    expect(told).toBe(2);
  });
});

describe('sendPresence', () => {
  it('asks the server and answers its result, validated', async () => {
    const ok = fakeLink({ ack: { ok: true } });
    expect(await sendPresence(ok.link, 'away')).toEqual({ ok: true });
    expect(ok.emitted).toEqual([{ event: 'presence:set', payload: { presence: 'away' } }]);

    const refused = fakeLink({ ack: { ok: false, code: 'forbidden' } });
    expect(await sendPresence(refused.link, 'online')).toMatchObject({ ok: false, code: 'forbidden' });

    const garbled = fakeLink({ ack: 'yes' });
    expect(await sendPresence(garbled.link, 'online')).toMatchObject({ ok: false, reason: 'bad_reply' });
    expect(garbled.invalid).toEqual(['presence:set']);
  });

  it('fails at once offline, sending nothing', async () => {
    const offline = fakeLink({ ready: false });
    expect(await sendPresence(offline.link, 'away')).toMatchObject({ ok: false, reason: 'offline' });
    expect(offline.emitted).toEqual([]);
  });
});
