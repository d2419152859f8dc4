import type { SyncLink } from './link.js';

/**
 * Typing indicators are best effort: one event per conversation at most every
 * `intervalMs` while the agent types. WhatsApp shows one for 25 seconds, Messenger until
 * the next message, so a few seconds between events is plenty.
 */
export class TypingThrottle {
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly intervalMs = 4000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether an event for this conversation should go out now; records it if so. */
  take(conversationId: string): boolean {
    const now = this.now();
    const last = this.lastSent.get(conversationId);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.lastSent.set(conversationId, now);
    return true;
  }

  /** After a message is sent, the next keystroke may signal typing again at once. */
  reset(conversationId: string): void {
    this.lastSent.delete(conversationId);
  }
}

/** Tells the customer the agent is typing: throttled, best effort, dropped when offline. */
export function sendTyping(link: SyncLink, throttle: TypingThrottle, conversationId: string): void {
  const socket = link.socket();
  if (socket === null || !socket.connected || !link.ready()) return;
  if (!throttle.take(conversationId)) return;
  socket.emit('typing', { conversationId });
}
