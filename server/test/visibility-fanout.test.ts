import { describe, expect, it } from 'vitest';
import type { Agent, Change, Conversation, Message } from '@parley/protocol';
import type { Principal, Scopes } from '../src/modules/access/index.js';
import { batchFor, changesScopes } from '../src/modules/sync/index.js';
import type { CommittedBatch } from '../src/platform/store.js';

/** Cutting a committed batch per user, in memory: what each user is sent, and what they share. */

function scopes(people: [string, Principal['role'], string[]][]): Scopes {
  const principals = new Map<string, Principal>();
  const teamsOf = new Map<string, Set<string>>();
  const membersOf = new Map<string, Set<string>>();
  for (const [id, role, teams] of people) {
    principals.set(id, { id, role, kind: 'person', active: true });
    teamsOf.set(id, new Set(teams));
    for (const team of teams) membersOf.set(team, new Set([...(membersOf.get(team) ?? []), id]));
  }
  return { principals, teamsOf, membersOf };
}

const world = scopes([
  ['ana', 'agent', ['A']],
  ['amy', 'agent', ['A']],
  ['ben', 'agent', ['B']],
  ['sue', 'supervisor', ['A']],
]);

function conversation(id: string, teamId: string, assigneeId: string | null, seq: number): Change {
  return { entity: 'conversation', data: { id, teamId, assigneeId, seq, contactId: `k-${id}` } as Conversation };
}

function message(id: string, conversationId: string, seq: number): Change {
  return { entity: 'message', data: { id, conversationId, seq } as Message };
}

function committed(overrides: Partial<CommittedBatch>): CommittedBatch {
  return {
    after: 10,
    upTo: 14,
    changes: [],
    access: [],
    placements: new Map(),
    contactPlacements: new Map(),
    grants: new Map(),
    ...overrides,
  };
}

describe('batchFor', () => {
  const batch = committed({
    changes: [conversation('cA', 'A', null, 11), message('m1', 'cA', 12), message('m2', 'cB', 13)],
    placements: new Map([
      ['cA', { teamId: 'A', assigneeId: null }],
      ['cB', { teamId: 'B', assigneeId: 'ana' }],
    ]),
  });

  it('keeps what each user sees, by the conversation of each message, with the same after and upTo', () => {
    const ids = (agentId: string): string[] => batchFor(world, agentId, batch).batch.changes.map((c) => c.data.id);
    expect(ids('ana')).toEqual(['cA', 'm1', 'm2']);
    expect(ids('amy')).toEqual(['cA', 'm1']);
    expect(ids('ben')).toEqual(['m2']);
    expect(ids('sue')).toEqual(['cA', 'm1', 'm2']);
    for (const agentId of ['ana', 'amy', 'ben', 'sue']) {
      expect(batchFor(world, agentId, batch).batch).toMatchObject({ after: 10, upTo: 14 });
    }
    expect(batchFor(world, 'nobody', batch).batch.changes).toEqual([]);
  });

  it('sends a shared canned response to every active user, and a personal one to its owner alone', () => {
    const canned = (id: string, ownerId: string | null, seq: number): Change => ({
      entity: 'cannedResponse',
      data: { id, ownerId, seq, shortcut: id, title: '', body: 'Hi', deleted: false, updatedAt: 1 },
    });
    const withAdmin = scopes([
      ['ana', 'agent', ['A']],
      ['ben', 'agent', ['B']],
      ['ada', 'admin', []],
    ]);
    withAdmin.principals.set('gone', { id: 'gone', role: 'agent', kind: 'person', active: false });
    const cannedBatch = committed({ changes: [canned('shared', null, 11), canned('anas', 'ana', 12)] });
    const ids = (agentId: string): string[] =>
      batchFor(withAdmin, agentId, cannedBatch).batch.changes.map((c) => c.data.id);
    expect(ids('ana')).toEqual(['shared', 'anas']);
    expect(ids('ben')).toEqual(['shared']);
    // Admins see every conversation, but not another user's own replies.
    expect(ids('ada')).toEqual(['shared']);
    expect(ids('gone')).toEqual([]);
  });

  it('gives users sent the same thing the same key, and others another', () => {
    expect(batchFor(world, 'ana', batch).key).toBe(batchFor(world, 'sue', batch).key);
    expect(batchFor(world, 'ana', batch).key).not.toBe(batchFor(world, 'amy', batch).key);
  });

  it('sends a user their removals last, and their grants whole', () => {
    const grant = [conversation('cB', 'A', null, 9), message('m0', 'cB', 3)];
    const moved = committed({
      changes: [conversation('cB', 'A', null, 11)],
      access: [
        { agentId: 'ben', conversationId: 'cB', visible: false, seq: 12 },
        { agentId: 'amy', conversationId: 'cB', visible: true, seq: 13 },
      ],
      grants: new Map([['cB', grant]]),
    });
    const forBen = batchFor(world, 'ben', moved);
    expect(forBen.batch.changes).toEqual([{ entity: 'removal', data: { id: 'cB', seq: 12 } }]);
    expect(forBen.key).toBe('agent:ben');
    const forAmy = batchFor(world, 'amy', moved).batch;
    expect(forAmy.after).toBe(10);
    expect(forAmy.changes.map((c) => `${c.entity}:${c.data.id}`)).toEqual([
      'conversation:cB',
      'conversation:cB',
      'message:m0',
    ]);
  });

  it('makes a user pull when more came into sight than the batch carries', () => {
    const many = committed({
      access: [{ agentId: 'amy', conversationId: 'cZ', visible: true, seq: 14 }],
    });
    const forAmy = batchFor(world, 'amy', many).batch;
    // `after` past the client's cursor: it pulls, and the pull brings the conversation.
    expect(forAmy).toEqual({ after: 14, upTo: 14, changes: [] });
    expect(batchFor(world, 'ana', many).batch).toEqual({ after: 10, upTo: 14, changes: [] });
  });
});

describe('changesScopes', () => {
  const agent = (overrides: Partial<Agent>): Change => ({
    entity: 'agent',
    data: {
      id: 'ana',
      role: 'agent',
      kind: 'person',
      active: true,
      teamIds: ['A'],
      presence: 'away',
      seq: 20,
      ...overrides,
    } as Agent,
  });
  const batchOf = (changes: Change[]): CommittedBatch => committed({ changes });

  it('reads the scopes again for a change of teams, role or state, not for presence alone', () => {
    expect(changesScopes(batchOf([agent({})]), world)).toBe(false);
    expect(changesScopes(batchOf([agent({ teamIds: ['A', 'B'] })]), world)).toBe(true);
    expect(changesScopes(batchOf([agent({ teamIds: ['B'] })]), world)).toBe(true);
    expect(changesScopes(batchOf([agent({ role: 'supervisor' })]), world)).toBe(true);
    expect(changesScopes(batchOf([agent({ active: false })]), world)).toBe(true);
    expect(changesScopes(batchOf([agent({ id: 'newcomer', teamIds: [] })]), world)).toBe(true);
    expect(
      changesScopes(committed({ access: [{ agentId: 'ana', conversationId: 'c', visible: false, seq: 11 }] }), world),
    ).toBe(true);
    expect(changesScopes(batchOf([message('m', 'cA', 11)]), world)).toBe(false);
  });
});
