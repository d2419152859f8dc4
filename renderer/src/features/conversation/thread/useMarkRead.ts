import type { Conversation } from '@parley/protocol';
import { useEffect, useRef } from 'react';
import { newClientId } from '../../../common/clientId.js';
import type { ParleyDb } from '../../../data/db.js';
import { enqueue } from '../../../sync/outbox.js';

/**
 * Opening a conversation with unread messages marks them read; so does a message arriving
 * while it is open. Once per last message; the outbox sends it when online.
 */
export function useMarkRead(db: ParleyDb, conversation: Conversation): void {
  const markedRead = useRef<string | null>(null);
  useEffect(() => {
    if (conversation.unreadCount === 0) return;
    const key = `${conversation.id}:${conversation.lastMessageAt}`;
    if (markedRead.current === key) return;
    markedRead.current = key;
    void enqueue(db, { type: 'conversation.markRead', clientId: newClientId(), conversationId: conversation.id }).catch(
      () => {
        if (markedRead.current === key) markedRead.current = null;
      },
    );
  }, [db, conversation.id, conversation.unreadCount, conversation.lastMessageAt]);
}
