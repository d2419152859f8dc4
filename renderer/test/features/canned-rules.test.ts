import { describe, expect, it } from 'vitest';
import type { CannedResponse } from '@parley/protocol';
import {
  canEdit,
  canManageShared,
  cannedProblems,
  normalizeShortcut,
  type CannedForm,
} from '../../src/features/cannedResponses/cannedRules.js';

const existing: CannedResponse[] = [
  {
    id: 'r1',
    shortcut: 'Thanks',
    title: 'Thank you',
    body: 'Thank you!',
    ownerId: null,
    deleted: false,
    updatedAt: 0,
    seq: 1,
  },
  { id: 'r2', shortcut: 'old', title: '', body: 'Old', ownerId: null, deleted: true, updatedAt: 0, seq: 2 },
];

function form(overrides: Partial<CannedForm>): CannedForm {
  return {
    id: null,
    shortcut: 'refund',
    title: 'Refund policy',
    body: 'We refund within 14 days.',
    shared: false,
    ...overrides,
  };
}

describe('checking a canned response before saving it', () => {
  it('accepts a valid one, and a / typed before the shortcut', () => {
    expect(cannedProblems(form({}), existing)).toEqual([]);
    expect(cannedProblems(form({ shortcut: ' /refund-2_fr ' }), existing)).toEqual([]);
    expect(normalizeShortcut(' //refund ')).toBe('refund');
    expect(cannedProblems(form({ shortcut: 'remboursé' }), existing)).toEqual([]);
  });

  it('names the character a shortcut cannot have, and spaces', () => {
    expect(cannedProblems(form({ shortcut: 'refund!' }), existing)).toEqual([
      { field: 'shortcut', kind: 'characters', character: '!' },
    ]);
    expect(cannedProblems(form({ shortcut: 'refund policy' }), existing)).toEqual([
      { field: 'shortcut', kind: 'characters', character: ' ' },
    ]);
  });

  it('refuses an empty or too long shortcut, and one another response has (in any case)', () => {
    expect(cannedProblems(form({ shortcut: ' / ' }), existing)).toEqual([{ field: 'shortcut', kind: 'empty' }]);
    expect(cannedProblems(form({ shortcut: 'a'.repeat(33) }), existing)).toEqual([
      { field: 'shortcut', kind: 'tooLong' },
    ]);
    expect(cannedProblems(form({ shortcut: 'a'.repeat(32) }), existing)).toEqual([]);
    expect(cannedProblems(form({ shortcut: 'thanks' }), existing)).toEqual([{ field: 'shortcut', kind: 'taken' }]);
    // Its own shortcut, and a deleted one's, are free.
    expect(cannedProblems(form({ id: 'r1', shortcut: 'thanks' }), existing)).toEqual([]);
    expect(cannedProblems(form({ shortcut: 'old' }), existing)).toEqual([]);
  });

  it('refuses an empty or too long text and a too long title', () => {
    expect(cannedProblems(form({ body: '  ', title: 'x'.repeat(101) }), existing)).toEqual([
      { field: 'title', kind: 'tooLong' },
      { field: 'body', kind: 'empty' },
    ]);
    expect(cannedProblems(form({ body: 'x'.repeat(4097) }), existing)).toEqual([{ field: 'body', kind: 'tooLong' }]);
  });
});

describe('who manages which response', () => {
  it('lets supervisors and admins manage shared ones, and each agent their own', () => {
    expect(canManageShared({ role: 'agent' })).toBe(false);
    expect(canManageShared({ role: 'supervisor' })).toBe(true);
    expect(canEdit({ id: 'a', role: 'agent' }, { ownerId: null })).toBe(false);
    expect(canEdit({ id: 'a', role: 'agent' }, { ownerId: 'a' })).toBe(true);
    expect(canEdit({ id: 'a', role: 'admin' }, { ownerId: null })).toBe(true);
    expect(canEdit({ id: 'a', role: 'admin' }, { ownerId: 'b' })).toBe(false);
  });
});
