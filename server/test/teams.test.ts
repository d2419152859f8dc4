import type { Team } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoAgents, seedDemoChannels } from '../src/demo/seed.js';
import { APP_SECRET, VERIFY_TOKEN, startTestServer, type TestServer } from './helpers.js';
import { api, customerWrites, conversationRow, makeUser, whatsappInbox, type User } from './team-support.js';

let server: TestServer;
let admin: User;
let agent: User;

beforeEach(async () => {
  server = await startTestServer();
  admin = await makeUser(server, 'Ada', 'admin');
  agent = await makeUser(server, 'Ben', 'agent');
});

afterEach(async () => {
  await server.cleanup();
});

async function agentRow(id: string): Promise<{ seq: number; teamIds: string[] }> {
  const row = await server.store.db.selectFrom('agents').select('seq').where('id', '=', id).executeTakeFirstOrThrow();
  const teams = await server.store.db.selectFrom('team_members').select('team_id').where('agent_id', '=', id).execute();
  return { seq: Number(row.seq), teamIds: teams.map((team) => team.team_id).sort() };
}

async function defaultTeam(): Promise<string> {
  const row = await server.store.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', 'default_team_id')
    .executeTakeFirstOrThrow();
  return JSON.parse(row.value) as string;
}

async function createTeam(body: Record<string, unknown>): Promise<Team> {
  const answer = await api(server, admin, 'POST', '/teams', body);
  expect(answer.status).toBe(201);
  return answer.body.team as Team;
}

describe('/api/v1/teams', () => {
  it('an admin makes a team with an inbox, taken from the team that had it; everyone reads the teams', async () => {
    const inbox = await whatsappInbox(server);
    const everyone = await defaultTeam();
    const team = await createTeam({
      name: 'Sales',
      channelAccountIds: [inbox],
      autoAssign: true,
      offlineGraceMinutes: 5,
      rules: [{ kind: 'keyword', keyword: 'price' }],
    });
    expect(team).toMatchObject({
      name: 'Sales',
      channelAccountIds: [inbox],
      autoAssign: true,
      offlineGraceMinutes: 5,
      firstResponseTargetSeconds: 300,
      rules: [{ kind: 'keyword', keyword: 'price' }],
    });
    const listed = await api(server, agent, 'GET', '/teams');
    expect(listed.status).toBe(200);
    const teams = listed.body.teams as Team[];
    expect(teams.map((t) => t.name).sort()).toEqual(['Everyone', 'Sales']);
    expect(teams.find((t) => t.id === everyone)?.channelAccountIds).not.toContain(inbox);
    // A new conversation in that inbox now belongs to Sales.
    const conversation = await customerWrites(server, '447700900001', 'hello there');
    expect((await conversationRow(server, conversation)).team_id).toBe(team.id);
  });

  it('changes only the fields sent, and stamps the team', async () => {
    const team = await createTeam({ name: 'Support' });
    const changed = await api(server, admin, 'PATCH', `/teams/${team.id}`, {
      waitingTargetSeconds: 60,
      autoAssign: true,
    });
    expect(changed.status).toBe(200);
    const after = changed.body.team as Team;
    expect(after).toMatchObject({ name: 'Support', waitingTargetSeconds: 60, autoAssign: true });
    expect(after.seq).toBeGreaterThan(team.seq);
    const missing = await api(server, admin, 'PATCH', '/teams/nope', { name: 'X' });
    expect(missing).toMatchObject({ status: 404, body: { code: 'not_found', reason: 'team_missing' } });
  });

  it('sets members: the agents whose teams changed are stamped, unknown users are refused', async () => {
    const team = await createTeam({ name: 'Support' });
    const before = await agentRow(agent.id);
    const set = await api(server, admin, 'PUT', `/teams/${team.id}/members`, { agentIds: [agent.id] });
    expect(set.status).toBe(200);
    expect(set.body.agentIds).toEqual([agent.id]);
    const after = await agentRow(agent.id);
    expect(after.teamIds).toContain(team.id);
    expect(after.seq).toBeGreaterThan(before.seq);
    // Removing stamps them again.
    await api(server, admin, 'PUT', `/teams/${team.id}/members`, { agentIds: [] });
    const removed = await agentRow(agent.id);
    expect(removed.teamIds).not.toContain(team.id);
    expect(removed.seq).toBeGreaterThan(after.seq);
    const unknown = await api(server, admin, 'PUT', `/teams/${team.id}/members`, { agentIds: ['ghost'] });
    expect(unknown).toMatchObject({ status: 404, body: { reason: 'user_missing' } });
    const noTeam = await api(server, admin, 'PUT', '/teams/nope/members', { agentIds: [] });
    expect(noTeam).toMatchObject({ status: 404, body: { reason: 'team_missing' } });
  });

  it('deleting a team moves its conversations and inboxes to the default team', async () => {
    const inbox = await whatsappInbox(server);
    const everyone = await defaultTeam();
    const team = await createTeam({ name: 'Sales', channelAccountIds: [inbox] });
    await api(server, admin, 'PUT', `/teams/${team.id}/members`, { agentIds: [agent.id] });
    const conversation = await customerWrites(server, '447700900002', 'hi');
    const before = await conversationRow(server, conversation);
    expect(before.team_id).toBe(team.id);
    const removed = await api(server, admin, 'DELETE', `/teams/${team.id}`);
    expect(removed.status).toBe(204);
    const after = await conversationRow(server, conversation);
    expect(after.team_id).toBe(everyone);
    expect(after.seq).toBeGreaterThan(before.seq);
    const inboxTeam = await server.store.db
      .selectFrom('team_inboxes')
      .select('team_id')
      .where('channel_account_id', '=', inbox)
      .executeTakeFirstOrThrow();
    expect(inboxTeam.team_id).toBe(everyone);
    expect((await agentRow(agent.id)).teamIds).not.toContain(team.id);
    expect((await api(server, admin, 'DELETE', `/teams/${team.id}`)).status).toBe(404);
  });

  it('sets the default team new users join, or none', async () => {
    const team = await createTeam({ name: 'Newcomers' });
    expect((await api(server, admin, 'PUT', '/settings/default-team', { teamId: team.id })).status).toBe(204);
    const newcomer = await makeUser(server, 'Cleo', 'agent');
    expect((await agentRow(newcomer.id)).teamIds).toEqual([team.id]);
    expect((await api(server, admin, 'PUT', '/settings/default-team', { teamId: null })).status).toBe(204);
    const loner = await makeUser(server, 'Dan', 'agent');
    expect((await agentRow(loner.id)).teamIds).toEqual([]);
    const missing = await api(server, admin, 'PUT', '/settings/default-team', { teamId: 'nope' });
    expect(missing).toMatchObject({ status: 404, body: { reason: 'team_missing' } });
  });

  it('refuses every write to non-admins, and changes nothing', async () => {
    const supervisor = await makeUser(server, 'Sam', 'supervisor');
    const team = await createTeam({ name: 'Support' });
    for (const caller of [agent, supervisor]) {
      const attempts = [
        await api(server, caller, 'POST', '/teams', { name: 'Mine' }),
        await api(server, caller, 'PATCH', `/teams/${team.id}`, { name: 'Mine' }),
        await api(server, caller, 'DELETE', `/teams/${team.id}`),
        await api(server, caller, 'PUT', `/teams/${team.id}/members`, { agentIds: [caller.id] }),
        await api(server, caller, 'PUT', '/settings/default-team', { teamId: team.id }),
      ];
      for (const attempt of attempts) {
        expect(attempt).toMatchObject({ status: 403, body: { code: 'forbidden', reason: 'admin_only' } });
      }
    }
    // Nobody added themselves, nothing was renamed or made.
    expect((await agentRow(agent.id)).teamIds).not.toContain(team.id);
    expect((await agentRow(supervisor.id)).teamIds).not.toContain(team.id);
    const teams = (await api(server, agent, 'GET', '/teams')).body.teams as Team[];
    expect(teams.map((t) => t.name).sort()).toEqual(['Everyone', 'Support']);
    expect((await api(server, null, 'GET', '/teams')).status).toBe(401);
  });

  it('refuses malformed input on every route with bad_request/malformed', async () => {
    const team = await createTeam({ name: 'Support' });
    const bad: [string, string, unknown][] = [
      ['POST', '/teams', {}],
      ['POST', '/teams', { name: '' }],
      ['POST', '/teams', { name: 'X', autoAssign: 'yes' }],
      ['POST', '/teams', { name: 'X', rules: [{ kind: 'language', language: 'english' }] }],
      ['POST', '/teams', { name: 'X', offlineGraceMinutes: -1 }],
      ['POST', '/teams', { name: 'X', sneaky: true }],
      ['POST', '/teams', '[1,2'],
      ['PATCH', `/teams/${team.id}`, { rules: [{ kind: 'keyword' }] }],
      ['PATCH', `/teams/${team.id}`, { channelAccountIds: 'all' }],
      ['PUT', `/teams/${team.id}/members`, { agentIds: 'me' }],
      ['PUT', `/teams/${team.id}/members`, {}],
      ['PUT', '/settings/default-team', {}],
      ['PUT', '/settings/default-team', { teamId: 5 }],
    ];
    for (const [method, path, body] of bad) {
      const answer = await api(server, admin, method, path, body);
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.body.code).toBe('bad_request');
    }
    const unknownInbox = await api(server, admin, 'POST', '/teams', { name: 'X', channelAccountIds: ['nope'] });
    expect(unknownInbox).toMatchObject({ status: 404, body: { reason: 'channel_account_missing' } });
    const teams = (await api(server, admin, 'GET', '/teams')).body.teams as Team[];
    expect(teams.map((t) => t.name).sort()).toEqual(['Everyone', 'Support']);
  });

  it('the demo has Sales with the WhatsApp number and Support with the Page and Instagram', async () => {
    await seedDemoAgents(server.agents);
    await seedDemoChannels(server.store, APP_SECRET, VERIFY_TOKEN);
    // Seeding again changes nothing.
    await seedDemoChannels(server.store, APP_SECRET, VERIFY_TOKEN);
    const teams = (await api(server, admin, 'GET', '/teams')).body.teams as Team[];
    const sales = teams.filter((t) => t.name === 'Sales');
    const support = teams.filter((t) => t.name === 'Support');
    expect(sales).toHaveLength(1);
    expect(support).toHaveLength(1);
    const channelsOf = async (team: Team | undefined): Promise<string[]> => {
      const rows = await server.store.db
        .selectFrom('channel_accounts')
        .select('channel')
        .where('id', 'in', team?.channelAccountIds ?? ['-'])
        .execute();
      return rows.map((row) => row.channel).sort();
    };
    expect(await channelsOf(sales[0])).toEqual(['whatsapp']);
    expect(await channelsOf(support[0])).toEqual(['instagram', 'messenger']);
    const members = async (team: Team | undefined): Promise<string[]> => {
      const rows = await server.store.db
        .selectFrom('team_members')
        .innerJoin('agents', 'agents.id', 'team_members.agent_id')
        .select('agents.email')
        .where('team_members.team_id', '=', team?.id ?? '-')
        .execute();
      return rows.map((row) => row.email).sort();
    };
    expect(await members(sales[0])).toEqual(['ana@parley.demo', 'chloe@parley.demo', 'sam@parley.demo']);
    expect(await members(support[0])).toEqual(['ben@parley.demo', 'chloe@parley.demo', 'sam@parley.demo']);
  });
});
