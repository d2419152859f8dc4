import type { Agent, Conversation, Team } from '@parley/protocol';
import { slaState, waitingStart, type SlaState } from '../../domain/sla.js';

// The timers' rules are the inbox list's too: they live in domain/ and are named here as before.
export { NEAR_SHARE, slaState, waitingStart, type SlaState } from '../../domain/sla.js';

/** Whether a conversation is in the queue: open and nobody's. */
export function isWaiting(conversation: Conversation): boolean {
  return conversation.status === 'open' && conversation.assigneeId === null;
}

/**
 * Whether a conversation belongs to the teams chosen: every conversation when none is
 * chosen; a conversation without a team only then.
 */
export function inTeams(teamId: string | null, teamIds: ReadonlySet<string>): boolean {
  if (teamIds.size === 0) return true;
  return teamId !== null && teamIds.has(teamId);
}

export type QueueRow = {
  conversation: Conversation;
  team: Team | undefined;
  /** How long the customer has waited for an answer. */
  waitingMs: number;
  waiting: SlaState;
  /** How long since the conversation began, while nobody has answered yet; null once answered. */
  firstResponseMs: number | null;
  firstResponse: SlaState;
};

/**
 * The queue: waiting conversations of the chosen teams, the longest wait first (ties by
 * the oldest conversation, then id, so the order never flickers), with their timers
 * against their team's targets.
 */
export function waitingQueue(
  conversations: readonly Conversation[],
  teams: readonly Team[],
  teamIds: ReadonlySet<string>,
  now: number,
): QueueRow[] {
  const byId = new Map(teams.map((team) => [team.id, team]));
  return conversations
    .filter((conversation) => isWaiting(conversation) && inTeams(conversation.teamId, teamIds))
    .sort(
      (a, b) =>
        waitingStart(a) - waitingStart(b) || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .map((conversation) => {
      const team = conversation.teamId === null ? undefined : byId.get(conversation.teamId);
      const waitingMs = Math.max(0, now - waitingStart(conversation));
      const firstResponseMs = conversation.firstResponseAt === null ? Math.max(0, now - conversation.createdAt) : null;
      return {
        conversation,
        team,
        waitingMs,
        waiting: slaState(waitingMs, team?.waitingTargetSeconds),
        firstResponseMs,
        firstResponse: firstResponseMs === null ? 'none' : slaState(firstResponseMs, team?.firstResponseTargetSeconds),
      };
    });
}

export type Load = {
  open: number;
  capacity: number;
  /** 0 to 1, for a bar; a capacity of 0 reads as full. */
  share: number;
  full: boolean;
};

/** An agent's open conversations (open or pending, not resolved) against their capacity. */
export function loadOf(agentId: string, conversations: readonly Conversation[], capacity: number): Load {
  const open = conversations.filter(
    (conversation) => conversation.assigneeId === agentId && conversation.status !== 'resolved',
  ).length;
  const share = capacity <= 0 ? 1 : Math.min(1, open / capacity);
  return { open, capacity, share, full: open >= capacity };
}

const PRESENCE_ORDER = { online: 0, away: 1, offline: 2 } as const;

/**
 * The people of the chosen teams a conversation may go to: active people (not
 * integrations), Online first, then Away, then Offline, by name.
 */
export function teamAgents(agents: readonly Agent[], teamIds: ReadonlySet<string>): Agent[] {
  return agents
    .filter(
      (agent) =>
        agent.kind === 'person' &&
        agent.active &&
        (teamIds.size === 0 || agent.teamIds.some((teamId) => teamIds.has(teamId))),
    )
    .sort((a, b) => PRESENCE_ORDER[a.presence] - PRESENCE_ORDER[b.presence] || a.name.localeCompare(b.name));
}

/** A timer as people read it at a glance: "45 s", "12:05", "1:02:05". Ticking, so seconds count. */
export function clock(ms: number): string {
  const total = Math.floor(Math.max(0, ms) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (value: number): string => String(value).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}
