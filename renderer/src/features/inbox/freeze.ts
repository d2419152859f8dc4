import type { Conversation } from '@parley/protocol';

/**
 * What the list shows while its order is held, and how many changes wait: conversations
 * that came into the view, left it, or moved because they changed. Rows still on the
 * device keep their place; one deleted from the device goes at once (nothing to open).
 */
export function frozenChanges(
  frozen: readonly Conversation[],
  live: readonly Conversation[],
  exists: (id: string) => boolean,
): { shown: string[]; pending: number } {
  const liveById = new Map(live.map((conversation) => [conversation.id, conversation]));
  const frozenById = new Map(frozen.map((conversation) => [conversation.id, conversation]));
  const shown: string[] = [];
  let pending = 0;
  // Ranks among the conversations in both orders: a move is a change of rank.
  const frozenRank = new Map<string, number>();
  for (const conversation of frozen) {
    if (!exists(conversation.id)) continue;
    shown.push(conversation.id);
    if (liveById.has(conversation.id)) frozenRank.set(conversation.id, frozenRank.size);
    else pending += 1;
  }
  let rank = 0;
  for (const conversation of live) {
    if (!frozenById.has(conversation.id)) {
      pending += 1;
      continue;
    }
    const before = frozenRank.get(conversation.id);
    if (before === undefined) continue;
    // Rows shifted by another's move are not changes of their own: only a changed row's move counts.
    if (before !== rank && frozenById.get(conversation.id) !== conversation) pending += 1;
    rank += 1;
  }
  return { shown, pending };
}
