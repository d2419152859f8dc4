/** What the inbox benchmark's page code and its driver agree on. */

/** Tolerant of the list and the thread as they are rebuilt: test ids first, then roles. */
export const ROW_SELECTOR = [
  '[data-testid="conversation-item"]',
  '[data-testid^="conversation-row"]',
  '[data-conversation-id]',
  '[data-testid="conversation-list"] [role="option"]',
  '[data-testid="conversation-list"] [role="row"]',
].join(', ');
export const MESSAGE_SELECTOR = '[data-message-id], [data-testid="message"], [data-testid^="message-row"]';

export const BIG_CONTACT = 'Zoë Longthread';
export const LAST_TEXT = 'The last word of the long thread';
export const FLOOR_ROWS = 50;
