import type { Message } from '@parley/protocol';
import { useMemo } from 'react';
import { currentLocale, t, type Locale } from '../../../common/i18n/index.js';

/** The thread's messages by id and by platform id, to find what a reply quotes. */
export type MessageIndex = { byId: Map<string, Message>; byExternalId: Map<string, Message> };

export function useMessageIndex(messages: readonly Message[] | undefined): MessageIndex {
  return useMemo(() => {
    const byId = new Map<string, Message>();
    const byExternalId = new Map<string, Message>();
    for (const message of messages ?? []) {
      byId.set(message.id, message);
      if (message.externalId !== null) byExternalId.set(message.externalId, message);
    }
    return { byId, byExternalId };
  }, [messages]);
}

/** The message a reply quotes, when it is cached. */
export function quotedIn(index: MessageIndex, message: Message): Message | undefined {
  const ref = message.replyTo;
  if (ref === null) return undefined;
  return (
    (ref.messageId === null ? undefined : index.byId.get(ref.messageId)) ??
    (ref.externalId === null ? undefined : index.byExternalId.get(ref.externalId))
  );
}

/** Who wrote a message, as the thread names them: the contact, or the agent's side. */
export function authorOf(message: Message, contactName: string, lang: Locale = currentLocale()): string {
  return message.direction === 'inbound' ? contactName : t('thread.you', {}, lang);
}
