import type { DesktopEvent, DesktopEventListener } from '@parley/protocol';
import { expect, it } from 'vitest';
import { holdingUnheardOpens } from '../../src/platform/openRequests.js';

/** A shell that sends what the test says, to the listeners the page registered with it. */
function fakeShell() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const on = <E extends DesktopEvent>(event: E, listener: DesktopEventListener<E>): (() => void) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    const registered = listener as unknown as (payload: unknown) => void;
    set.add(registered);
    return () => set.delete(registered);
  };
  const send = (event: string, payload: unknown): void => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  return { on, send };
}

it('keeps the newest conversation asked for while nothing listens, for the next listener only', () => {
  const shell = fakeShell();
  const on = holdingUnheardOpens(shell.on);
  shell.send('conversation:open', { conversationId: 'first' });
  shell.send('conversation:open', { conversationId: 'newest' });

  const heard: string[] = [];
  const stop = on('conversation:open', ({ conversationId }) => heard.push(conversationId));
  expect(heard).toEqual(['newest']);
  shell.send('conversation:open', { conversationId: 'live' });
  expect(heard).toEqual(['newest', 'live']);
  stop();

  // Heard once: the next listener starts with nothing, unless one came meanwhile.
  const later: string[] = [];
  on('conversation:open', ({ conversationId }) => later.push(conversationId));
  expect(later).toEqual([]);
});

it('passes every other event straight through, never holding it', () => {
  const shell = fakeShell();
  const on = holdingUnheardOpens(shell.on);
  shell.send('presence:set', { presence: 'away' });
  const heard: unknown[] = [];
  on('presence:set', (payload) => heard.push(payload));
  expect(heard).toEqual([]);
  shell.send('presence:set', { presence: 'online' });
  expect(heard).toEqual([{ presence: 'online' }]);
});
