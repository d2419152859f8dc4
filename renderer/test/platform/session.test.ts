import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearSession, loadSession, saveSession } from '../../src/platform/session.js';
import { agent } from '../fixtures.js';

const SERVER = 'http://127.0.0.1:4100';
const ALEX = agent('a1', { name: 'Alex', email: 'alex@example.com', teamIds: [] });

/** The session lives in localStorage: a stand-in for the window's. */
function fakeWindow(): Map<string, string> {
  const items = new Map<string, string>();
  vi.stubGlobal('window', {
    localStorage: {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    },
  });
  return items;
}

describe('the session kept on this device', () => {
  afterEach(async () => {
    vi.unstubAllGlobals();
    await Dexie.delete('parley-sessions');
  });

  it('is read back at once, per server, and forgotten on sign-out', async () => {
    const items = fakeWindow();
    expect(await loadSession(SERVER)).toBeNull();
    await saveSession(SERVER, ALEX);
    expect(await loadSession(SERVER)).toEqual(ALEX);
    expect(await loadSession('http://127.0.0.1:4200')).toBeNull();
    // No token is ever part of it.
    expect([...items.values()].join('')).not.toMatch(/token/i);
    await clearSession(SERVER);
    expect(await loadSession(SERVER)).toBeNull();
  });

  it('moves a session kept by an earlier version in IndexedDB, so an update does not sign anyone out', async () => {
    const items = fakeWindow();
    const old = new Dexie('parley-sessions');
    old.version(1).stores({ sessions: 'serverUrl' });
    await old.table('sessions').put({ serverUrl: SERVER, agent: ALEX, signedInAt: 1 });
    old.close();
    expect(await loadSession(SERVER)).toEqual(ALEX);
    expect(items.has(`parley:session:${SERVER}`)).toBe(true);
    // Moved once: the old database is gone, and no later start looks for it.
    expect(await Dexie.exists('parley-sessions')).toBe(false);
    // Signing out removes it from both places: it does not come back from the old one.
    await clearSession(SERVER);
    expect(await loadSession(SERVER)).toBeNull();
  });

  it('treats a damaged entry as no session rather than failing to start', async () => {
    const items = fakeWindow();
    items.set(`parley:session:${SERVER}`, '{"agent":{"id":');
    expect(await loadSession(SERVER)).toBeNull();
    items.set(`parley:session:${SERVER}`, JSON.stringify({ agent: { id: 'a1' } }));
    expect(await loadSession(SERVER)).toBeNull();
  });
});
