import type { DesktopEvent, DesktopEventListener, DesktopEventPayload } from '@parley/protocol';

type On = <E extends DesktopEvent>(event: E, listener: DesktopEventListener<E>) => () => void;
type OpenRequest = DesktopEventPayload<'conversation:open'>;

/**
 * The shell's events, with one difference: a `conversation:open` (a link, a notification's
 * click) that comes while nothing in the page listens for it (the sign-in screen, the
 * moment between two screens) is kept, the newest only, and given to the next listener,
 * as the shell keeps the link that came before the page was ready.
 */
export function holdingUnheardOpens(on: On): On {
  const listeners = new Set<(request: OpenRequest) => void>();
  let unheard: OpenRequest | null = null;
  on('conversation:open', (request) => {
    if (listeners.size === 0) unheard = request;
    for (const listener of listeners) listener(request);
  });
  return <E extends DesktopEvent>(event: E, listener: DesktopEventListener<E>): (() => void) => {
    if (event !== 'conversation:open') return on(event, listener);
    // E is 'conversation:open' here; the compiler does not narrow a type parameter by value.
    const opens = listener as unknown as (request: OpenRequest) => void;
    listeners.add(opens);
    const waiting = unheard;
    unheard = null;
    if (waiting !== null) opens(waiting);
    return () => {
      listeners.delete(opens);
    };
  };
}
