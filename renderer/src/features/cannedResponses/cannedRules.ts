import { CannedResponseSchema, type Agent, type CannedResponse } from '@parley/protocol';

/**
 * What a canned response must be before it is saved, checked here with the protocol's
 * own limits so the agent reads what to change before the server would refuse it.
 */

export const SHORTCUT_MAX = 32;
export const TITLE_MAX = 100;
export const BODY_MAX = 4096;

export type CannedForm = { id: string | null; shortcut: string; title: string; body: string; shared: boolean };

export type CannedProblem =
  | { field: 'shortcut'; kind: 'empty' | 'tooLong' | 'characters' | 'taken'; character?: string }
  | { field: 'title'; kind: 'tooLong' }
  | { field: 'body'; kind: 'empty' | 'tooLong' };

/** A shortcut as typed: the `/` the composer uses and surrounding spaces are not part of it. */
export function normalizeShortcut(typed: string): string {
  return typed.trim().replace(/^\/+/, '');
}

const ALLOWED = /^[\p{L}\p{N}_-]$/u;

/**
 * Every problem with the form, at most one per field. `existing`: the responses the agent
 * can see; a shortcut is taken when another one not deleted already has it (in any case),
 * since `/shortcut` must open one response.
 */
export function cannedProblems(form: CannedForm, existing: readonly CannedResponse[]): CannedProblem[] {
  const problems: CannedProblem[] = [];
  const shortcut = normalizeShortcut(form.shortcut);
  const wrong = [...shortcut].find((character) => !ALLOWED.test(character));
  if (shortcut === '') problems.push({ field: 'shortcut', kind: 'empty' });
  else if ([...shortcut].length > SHORTCUT_MAX) problems.push({ field: 'shortcut', kind: 'tooLong' });
  else if (wrong !== undefined) problems.push({ field: 'shortcut', kind: 'characters', character: wrong });
  else if (
    existing.some(
      (response) =>
        !response.deleted && response.id !== form.id && response.shortcut.toLowerCase() === shortcut.toLowerCase(),
    )
  ) {
    problems.push({ field: 'shortcut', kind: 'taken' });
  } else if (!CannedResponseSchema.shape.shortcut.safeParse(shortcut).success) {
    problems.push({ field: 'shortcut', kind: 'characters' });
  }
  if (form.title.trim().length > TITLE_MAX) problems.push({ field: 'title', kind: 'tooLong' });
  if (form.body.trim() === '') problems.push({ field: 'body', kind: 'empty' });
  else if (form.body.length > BODY_MAX) problems.push({ field: 'body', kind: 'tooLong' });
  return problems;
}

/** Shared responses are managed by supervisors and admins (the server checks it too). */
export function canManageShared(agent: Pick<Agent, 'role'>): boolean {
  return agent.role === 'supervisor' || agent.role === 'admin';
}

/** Whether this agent may edit or delete this response: their own, or a shared one if they manage those. */
export function canEdit(agent: Pick<Agent, 'id' | 'role'>, response: Pick<CannedResponse, 'ownerId'>): boolean {
  return response.ownerId === null ? canManageShared(agent) : response.ownerId === agent.id;
}
