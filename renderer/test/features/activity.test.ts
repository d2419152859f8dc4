import { describe, expect, it } from 'vitest';
import type { Activity } from '@parley/protocol';
import {
  activityNote,
  activityText,
  nameList,
  type ActivityNames,
} from '../../src/features/conversation/messages/activityText.js';

const names: ActivityNames = {
  agents: new Map([
    ['sup', 'Sam'],
    ['ana', 'Ana'],
    ['ben', 'Ben'],
    ['crm', 'CRM'],
  ]),
  teams: new Map([
    ['t1', 'Sales'],
    ['t2', 'Support'],
  ]),
};

function assignment(overrides: Partial<Extract<Activity, { type: 'assignment' }>>): Activity {
  return {
    type: 'assignment',
    byAgentId: 'sup',
    fromAgentId: null,
    toAgentId: 'ana',
    reason: 'manual',
    note: null,
    ...overrides,
  };
}

describe('activity lines', () => {
  it('word each assignment by its reason, with names', () => {
    expect(activityText(assignment({}), names, 'en')).toBe('Sam assigned this conversation to Ana');
    expect(activityText(assignment({ fromAgentId: 'ana', toAgentId: 'ben' }), names, 'en')).toBe(
      'Sam reassigned this conversation from Ana to Ben',
    );
    expect(activityText(assignment({ fromAgentId: 'ana', toAgentId: null }), names, 'en')).toBe(
      'Sam put this conversation back in the queue',
    );
    expect(activityText(assignment({ byAgentId: 'ben', toAgentId: 'ben', reason: 'take' }), names, 'en')).toBe(
      'Ben took this conversation',
    );
    expect(activityText(assignment({ byAgentId: null, reason: 'auto' }), names, 'en')).toBe(
      'Assigned automatically to Ana',
    );
    expect(
      activityText(
        assignment({ byAgentId: null, fromAgentId: 'ben', toAgentId: null, reason: 'offline' }),
        names,
        'en',
      ),
    ).toBe('Back in the queue: Ben was offline too long');
    expect(
      activityText(
        assignment({ byAgentId: null, fromAgentId: 'ben', toAgentId: null, reason: 'deactivated' }),
        names,
        'en',
      ),
    ).toBe('Back in the queue: Ben’s account was deactivated');
    expect(activityText(assignment({ byAgentId: 'crm', reason: 'api' }), names, 'en')).toBe(
      'CRM assigned this conversation to Ana through the API',
    );
  });

  it('say "someone" for an agent this device does not know, and Parley for nobody', () => {
    expect(activityText(assignment({ byAgentId: 'ghost' }), names, 'en')).toBe(
      'someone assigned this conversation to Ana',
    );
    expect(activityText({ type: 'status', byAgentId: null, from: 'pending', to: 'open' }, names, 'en')).toBe(
      'Parley marked this conversation open',
    );
  });

  it('word status and team changes, in French too', () => {
    expect(activityText({ type: 'status', byAgentId: 'ana', from: 'open', to: 'resolved' }, names, 'en')).toBe(
      'Ana marked this conversation resolved',
    );
    expect(activityText({ type: 'team', byAgentId: 'sup', fromTeamId: 't1', toTeamId: 't2' }, names, 'en')).toBe(
      'Sam moved this conversation from Sales to Support',
    );
    expect(activityText({ type: 'team', byAgentId: 'sup', fromTeamId: null, toTeamId: 't2' }, names, 'fr')).toBe(
      'Sam a déplacé cette conversation de aucune équipe vers Support',
    );
    expect(activityText(assignment({}), names, 'fr')).toBe('Sam a attribué cette conversation à Ana');
  });

  it('show a note to the new assignee apart, and nothing for an empty one', () => {
    expect(activityNote(assignment({ note: '  VIP, be quick ' }), 'en')).toBe('Note: “VIP, be quick”');
    expect(activityNote(assignment({ note: '   ' }), 'en')).toBeNull();
    expect(activityNote({ type: 'status', byAgentId: 'ana', from: 'open', to: 'resolved' }, 'en')).toBeNull();
  });

  it('list names as the language does', () => {
    expect(nameList(['Ana'], 'en')).toBe('Ana');
    expect(nameList(['Ana', 'Ben', 'Carla'], 'en')).toBe('Ana, Ben, and Carla');
    expect(nameList(['Ana', 'Ben'], 'fr')).toBe('Ana et Ben');
  });
});
