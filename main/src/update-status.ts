/**
 * The updater's state as the page shows it: what it is doing, the version running, the
 * channel, and for a failure when it tries again by itself. The page words all of it.
 */
import { UpdateStatusSchema, type UpdateChannel, type UpdatePhase, type UpdateStatus } from '@parley/protocol';
import type { UpdateState } from './updates.js';

export type UpdateFacts = {
  state: UpdateState;
  appVersion: string;
  channel: UpdateChannel;
  /** When the next check runs by itself (epoch ms). */
  nextCheckAt: number | null;
  /** When a check last finished well (epoch ms). */
  lastCheckedAt: number | null;
};

export function updatePhase(facts: UpdateFacts): UpdatePhase {
  const { state } = facts;
  switch (state.kind) {
    case 'disabled':
      return { kind: 'disabled' };
    case 'idle':
      return { kind: 'upToDate', checkedAt: facts.lastCheckedAt };
    case 'checking':
      return { kind: 'checking' };
    case 'downloading':
      return { kind: 'downloading', version: state.version, percent: Math.round(state.percent) };
    case 'ready':
      return { kind: 'ready', version: state.version };
    case 'error':
      return { kind: 'failed', code: state.code, retryAt: facts.nextCheckAt };
  }
}

/** The status the page receives; checked against the protocol's schema (a bad one is a bug here). */
export function updateStatusForPage(facts: UpdateFacts): UpdateStatus {
  return UpdateStatusSchema.parse({ version: facts.appVersion, channel: facts.channel, phase: updatePhase(facts) });
}
