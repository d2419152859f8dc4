import type { Message, Template } from '@parley/protocol';
import type { QuotedMessages } from '../../../data/threadQuotes.js';
import type { MessageTarget } from '../../../data/threadWindow.js';
import type { ActivityNames } from '../messages/activityText.js';
import type { ThreadItem } from './threadItems.js';

/** What the rows of one thread share. */
export type RowContext = {
  quoted: QuotedMessages | undefined;
  templates: Template[] | undefined;
  contactName: string;
  hasOlder: boolean;
  online: boolean;
  activityNames: ActivityNames;
  jumpTo: (target: MessageTarget) => void;
  onReply: (message: Message) => void;
  onReact: (message: Message, emoji: string) => void;
};

export type RowProps = { item: ThreadItem; now: number; highlighted: boolean; context: RowContext };

/**
 * Whether a row would render the same: the thread's shared parts (names, templates, quotes,
 * the connection) arrive one by one while a thread opens and change its context each
 * time, but a row only renders again when a part it reads has changed.
 */
export function sameRow(before: RowProps, after: RowProps): boolean {
  if (before.item !== after.item || before.now !== after.now || before.highlighted !== after.highlighted) return false;
  const a = before.context;
  const b = after.context;
  if (a === b) return true;
  if (a.jumpTo !== b.jumpTo || a.onReply !== b.onReply || a.onReact !== b.onReact) return false;
  if (after.item.kind === 'day') return true;
  const message = after.item.message;
  if ((message.kind === 'activity' || message.kind === 'note') && a.activityNames !== b.activityNames) return false;
  if (message.direction === 'outbound' && message.status === 'pending' && a.online !== b.online) return false;
  if (message.template !== null && message.text === null && a.templates !== b.templates) return false;
  if (
    message.replyTo !== null &&
    (a.quoted !== b.quoted || a.contactName !== b.contactName || a.hasOlder !== b.hasOlder)
  )
    return false;
  return true;
}
