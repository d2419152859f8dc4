import { ChannelSchema, ConversationStatusSchema } from '@parley/protocol';
import { z } from 'zod';
import { NO_FILTERS, parseViewKey, viewKey, type ListFilters, type ListSort, type ViewId } from '../../domain/views.js';

/** What the agent chose in the list on this device: the view, the filters, the order. */
export type ListChoice = { view: ViewId | null; filters: ListFilters; sort: ListSort };

const StoredSchema = z.object({
  view: z.string().nullable().catch(null),
  filters: z
    .object({
      statuses: z.array(ConversationStatusSchema).catch([]),
      channels: z.array(ChannelSchema).catch([]),
      inboxIds: z.array(z.string()).catch([]),
      labels: z.array(z.string()).catch([]),
      teamIds: z.array(z.string()).catch([]),
    })
    .catch(NO_FILTERS),
  sort: z.enum(['lastActivity', 'longestWaiting']).catch('lastActivity'),
});

function storageKey(agentId: string): string {
  return `parley.inbox.${agentId}`;
}

/** The choice kept on this device for this agent; a value this version cannot read is the default. */
export function readListChoice(agentId: string): ListChoice {
  try {
    const raw = window.localStorage.getItem(storageKey(agentId));
    if (raw !== null) {
      const stored = StoredSchema.parse(JSON.parse(raw));
      return {
        view: stored.view === null ? null : parseViewKey(stored.view),
        filters: stored.filters,
        sort: stored.sort,
      };
    }
  } catch {
    // Unreadable or unavailable storage: start from the defaults.
  }
  return { view: null, filters: NO_FILTERS, sort: 'lastActivity' };
}

export function writeListChoice(agentId: string, choice: { view: ViewId; filters: ListFilters; sort: ListSort }): void {
  try {
    window.localStorage.setItem(
      storageKey(agentId),
      JSON.stringify({ view: viewKey(choice.view), filters: choice.filters, sort: choice.sort }),
    );
  } catch {
    // Storage full or refused: the choice lasts for this session only.
  }
}
