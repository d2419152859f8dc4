import type { Conversation } from '@parley/protocol';

/** How a timer stands against its target: within it, close to it (80 %), or past it. */
export type SlaState = 'ok' | 'near' | 'breached' | 'none';

/** The share of a target after which a timer warns before it breaches. */
export const NEAR_SHARE = 0.8;

export function slaState(elapsedMs: number, targetSeconds: number | undefined): SlaState {
  if (targetSeconds === undefined || targetSeconds <= 0) return 'none';
  const target = targetSeconds * 1000;
  if (elapsedMs >= target) return 'breached';
  if (elapsedMs >= target * NEAR_SHARE) return 'near';
  return 'ok';
}

/** Since when the customer waits: the server's mark, or else their last message, or else the start. */
export function waitingStart(conversation: Conversation): number {
  return conversation.waitingSince ?? conversation.lastInboundAt ?? conversation.createdAt;
}
