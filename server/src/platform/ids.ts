import { v7 } from 'uuid';

/**
 * Ids are UUIDv7: ordered by creation time, and monotonic within one process. Clients
 * break ties between messages with the same platform timestamp (WhatsApp's are whole
 * seconds) by id, so a thread shows such messages in the order the server received them.
 */
export function newId(): string {
  return v7();
}
