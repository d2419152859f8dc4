/**
 * A conversation asked for from outside the list: a `parley://` link, a notification's
 * click, `?conversation=<id>` in a browser. It opens when the cache has it; otherwise the
 * server says whether the agent may see it, and the agent is told what they can do.
 */
import type { MessageKey } from '../../common/i18n/index.js';
import { ApiError, requestJson, type ServerAccess } from '../../platform/http.js';

export type RequestOutcome =
  /** In the cache: shown at once. */
  | 'open'
  /** The server shows it to this agent, but the cache does not have it yet: shown as it arrives. */
  | 'syncing'
  /** Unknown to the server, or not visible to this agent (the server does not tell which). */
  | 'notVisible'
  /** Neither the cache nor the server could answer (offline). */
  | 'unreachable';

export type RequestDeps = {
  inCache: (conversationId: string) => Promise<boolean>;
  /** Whether the server shows this conversation to the agent: the one read it already allows. */
  visibleOnServer: (conversationId: string) => Promise<boolean>;
};

export async function resolveConversationRequest(conversationId: string, deps: RequestDeps): Promise<RequestOutcome> {
  if (await deps.inCache(conversationId)) return 'open';
  try {
    return (await deps.visibleOnServer(conversationId)) ? 'syncing' : 'notVisible';
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unreachable') return 'unreachable';
    // Any other failure (a refusal we did not expect, a server error) also means: not here.
    return 'notVisible';
  }
}

/**
 * `GET /api/v1/conversations/:id`: answered only for a conversation the caller sees; any
 * other is 404 (its existence is not told), and a refusal of the caller is 401/403.
 */
export async function visibleOnServer(access: ServerAccess, conversationId: string): Promise<boolean> {
  try {
    await requestJson(access, `/api/v1/conversations/${encodeURIComponent(conversationId)}`);
    return true;
  } catch (error) {
    if (error instanceof ApiError && (error.code === 'not_found' || error.code === 'forbidden')) return false;
    throw error;
  }
}

/** What the agent is told, when they are told anything. */
export function requestNotice(outcome: RequestOutcome): { severity: 'info' | 'warning'; key: MessageKey } | null {
  switch (outcome) {
    case 'open':
      return null;
    case 'syncing':
      return { severity: 'info', key: 'desktop.link.syncing' };
    case 'notVisible':
      return { severity: 'warning', key: 'desktop.link.notVisible' };
    case 'unreachable':
      return { severity: 'warning', key: 'desktop.link.unreachable' };
  }
}
