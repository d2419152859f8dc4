import type { Agent } from '@parley/protocol';
import type { JSX } from 'react';
import type { ParleyDb } from '../../data/db.js';
import type { ThreadActions } from '../../domain/actions.js';

/**
 * Beside the thread: who the customer is (name, avatar, every channel identity, phone),
 * their labels, what agents noted about them, their previous conversations on every
 * channel, and merging two contacts for the roles allowed.
 */
export function ContactPanel(props: {
  db: ParleyDb;
  me: Agent;
  conversationId: string;
  actions: ThreadActions;
  onOpenConversation: (conversationId: string) => void;
  onClose: () => void;
}): JSX.Element | null {
  void props;
  return null;
}
