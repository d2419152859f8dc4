import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';
import { call, person, team, thread, type Person } from './api-support.js';

/**
 * /api/v1/metrics against a fixture whose numbers are worked out by hand: counts and exact
 * medians per day and group, the time zone moving conversations between days, who may read
 * what, and the CSV export's shape.
 */

let server: TestServer | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

const H = 60 * 60 * 1000;
const S = 1000;
const DAY1 = Date.UTC(2026, 2, 2);
const DAY2 = Date.UTC(2026, 2, 3);

type Row = {
  date: string;
  teamId: string | null;
  agentId: string | null;
  channel: string | null;
  conversations: number;
  resolved: number;
  firstResponseMedianSeconds: number | null;
  resolutionMedianSeconds: number | null;
};

type Fixture = {
  server: TestServer;
  sales: string;
  support: string;
  ana: Person;
  ben: Person;
  cid: Person;
  sam: Person;
  admin: Person;
};

async function conversation(
  s: TestServer,
  input: {
    teamId: string;
    assignee: Person;
    createdAt: number;
    firstResponseAfter?: number;
    resolvedAfter?: number;
    channel?: 'whatsapp' | 'messenger';
    status?: 'open' | 'pending' | 'resolved';
  },
): Promise<void> {
  const seeded = await thread(s, { teamId: input.teamId, assigneeId: input.assignee.id });
  await s.store.db
    .updateTable('conversations')
    .set({
      created_at: input.createdAt,
      first_response_at: input.firstResponseAfter === undefined ? null : input.createdAt + input.firstResponseAfter,
      resolved_at: input.resolvedAfter === undefined ? null : input.createdAt + input.resolvedAfter,
      status: input.status ?? (input.resolvedAfter === undefined ? 'open' : 'resolved'),
      channel: input.channel ?? 'whatsapp',
    })
    .where('id', '=', seeded.conversationId)
    .execute();
}

async function fixture(): Promise<Fixture> {
  server = await startTestServer();
  const sales = await team(server, 'Sales, "EU"');
  const support = await team(server, 'Support');
  const f: Fixture = {
    server,
    sales,
    support,
    ana: await person(server, { role: 'agent', name: 'Ana', teamIds: [sales] }),
    ben: await person(server, { role: 'agent', name: 'Ben', teamIds: [sales] }),
    cid: await person(server, { role: 'agent', name: 'Cid', teamIds: [support] }),
    sam: await person(server, { role: 'supervisor', name: 'Sam', teamIds: [sales] }),
    admin: await person(server, { role: 'admin', name: 'Ada' }),
  };
  const s = server;
  // Day 1 (2026-03-02, UTC).
  await conversation(s, {
    teamId: sales,
    assignee: f.ana,
    createdAt: DAY1 + 1 * H,
    firstResponseAfter: 60 * S,
    resolvedAfter: 600 * S,
  });
  await conversation(s, {
    teamId: sales,
    assignee: f.ana,
    createdAt: DAY1 + 2 * H,
    firstResponseAfter: 120 * S,
    resolvedAfter: 1200 * S,
  });
  await conversation(s, { teamId: sales, assignee: f.ana, createdAt: DAY1 + 3 * H, firstResponseAfter: 300 * S });
  await conversation(s, { teamId: sales, assignee: f.ben, createdAt: DAY1 + 4 * H });
  await conversation(s, { teamId: support, assignee: f.cid, createdAt: DAY1 + 5 * H, firstResponseAfter: 30 * S });
  // Created the day before the range, resolved on day 1 after 11 hours.
  await conversation(s, { teamId: sales, assignee: f.ben, createdAt: DAY1 - 1 * H, resolvedAfter: 11 * H });
  // Day 2, late evening UTC, on Messenger; still pending.
  await conversation(s, {
    teamId: sales,
    assignee: f.ana,
    createdAt: DAY2 + 23.5 * H,
    firstResponseAfter: 45 * S,
    channel: 'messenger',
    status: 'pending',
  });
  // After the range in UTC, but still 2026-03-03 in New York.
  await conversation(s, { teamId: sales, assignee: f.ben, createdAt: DAY2 + 25 * H });
  return f;
}

const RANGE = 'from=2026-03-02&to=2026-03-03';

describe('/api/v1/metrics/daily', () => {
  it('counts and takes exact medians per day, team, agent and channel', async () => {
    const f = await fixture();
    const daily = await call<{ rows: Row[] }>(f.server, f.admin.token, 'GET', `/metrics/daily?${RANGE}`);
    expect(daily.status).toBe(200);
    const expected: Row[] = [
      {
        date: '2026-03-02',
        teamId: f.sales,
        agentId: f.ana.id,
        channel: 'whatsapp',
        conversations: 3,
        resolved: 2,
        firstResponseMedianSeconds: 120,
        resolutionMedianSeconds: 900,
      },
      {
        date: '2026-03-02',
        teamId: f.sales,
        agentId: f.ben.id,
        channel: 'whatsapp',
        conversations: 1,
        resolved: 1,
        firstResponseMedianSeconds: null,
        resolutionMedianSeconds: 11 * 3600,
      },
      {
        date: '2026-03-02',
        teamId: f.support,
        agentId: f.cid.id,
        channel: 'whatsapp',
        conversations: 1,
        resolved: 0,
        firstResponseMedianSeconds: 30,
        resolutionMedianSeconds: null,
      },
      {
        date: '2026-03-03',
        teamId: f.sales,
        agentId: f.ana.id,
        channel: 'messenger',
        conversations: 1,
        resolved: 0,
        firstResponseMedianSeconds: 45,
        resolutionMedianSeconds: null,
      },
    ];
    const order = (rows: Row[]): Row[] =>
      [...rows].sort((a, b) => `${a.date}${a.teamId}${a.agentId}`.localeCompare(`${b.date}${b.teamId}${b.agentId}`));
    expect(order(daily.body.rows)).toEqual(order(expected));

    // One row a day: medians over all of the day's conversations, not medians of medians.
    const totals = await call<{ rows: Row[] }>(f.server, f.admin.token, 'GET', `/metrics/daily?${RANGE}&by=`);
    expect(totals.body.rows).toEqual([
      {
        date: '2026-03-02',
        teamId: null,
        agentId: null,
        channel: null,
        conversations: 5,
        resolved: 3,
        firstResponseMedianSeconds: 90,
        resolutionMedianSeconds: 1200,
      },
      {
        date: '2026-03-03',
        teamId: null,
        agentId: null,
        channel: null,
        conversations: 1,
        resolved: 0,
        firstResponseMedianSeconds: 45,
        resolutionMedianSeconds: null,
      },
    ]);
    const byChannel = await call<{ rows: Row[] }>(f.server, f.admin.token, 'GET', `/metrics/daily?${RANGE}&by=channel`);
    expect(byChannel.body.rows.map((row) => [row.date, row.channel, row.conversations])).toEqual([
      ['2026-03-02', 'whatsapp', 5],
      ['2026-03-03', 'messenger', 1],
    ]);
    const oneTeam = await call<{ rows: Row[] }>(
      f.server,
      f.admin.token,
      'GET',
      `/metrics/daily?${RANGE}&by=team&teamId=${f.support}`,
    );
    expect(oneTeam.body.rows).toEqual([
      {
        date: '2026-03-02',
        teamId: f.support,
        agentId: null,
        channel: null,
        conversations: 1,
        resolved: 0,
        firstResponseMedianSeconds: 30,
        resolutionMedianSeconds: null,
      },
    ]);
  });

  it('counts days in the time zone asked for', async () => {
    const f = await fixture();
    const newYork = await call<{ rows: Row[] }>(
      f.server,
      f.admin.token,
      'GET',
      `/metrics/daily?${RANGE}&by=&tz=America/New_York`,
    );
    expect(newYork.status).toBe(200);
    // New York is UTC-5 in early March: day 1's first four conversations fall on March 1.
    expect(newYork.body.rows).toEqual([
      {
        date: '2026-03-02',
        teamId: null,
        agentId: null,
        channel: null,
        conversations: 1,
        resolved: 1,
        firstResponseMedianSeconds: 30,
        resolutionMedianSeconds: 11 * 3600,
      },
      {
        date: '2026-03-03',
        teamId: null,
        agentId: null,
        channel: null,
        conversations: 2,
        resolved: 0,
        firstResponseMedianSeconds: 45,
        resolutionMedianSeconds: null,
      },
    ]);
  });

  it('follows daylight saving time when it starts inside the range', async () => {
    server = await startTestServer();
    const sales = await team(server, 'Sales');
    const ana = await person(server, { role: 'agent', name: 'Ana', teamIds: [sales] });
    const admin = await person(server, { role: 'admin' });
    // New York moves from UTC-5 to UTC-4 on 2026-03-08: 04:30Z on the 9th is 00:30 there.
    await conversation(server, { teamId: sales, assignee: ana, createdAt: Date.UTC(2026, 2, 9, 4, 30) });
    // 04:30Z on the 8th is still 23:30 on the 7th.
    await conversation(server, { teamId: sales, assignee: ana, createdAt: Date.UTC(2026, 2, 8, 4, 30) });
    const rows = await call<{ rows: Row[] }>(
      server,
      admin.token,
      'GET',
      '/metrics/daily?from=2026-03-07&to=2026-03-09&by=&tz=America/New_York',
    );
    expect(rows.body.rows.map((row) => [row.date, row.conversations])).toEqual([
      ['2026-03-07', 1],
      ['2026-03-09', 1],
    ]);
  });

  it('shows a supervisor only their teams, and refuses agents and bad ranges', async () => {
    const f = await fixture();
    const sam = await call<{ rows: Row[] }>(f.server, f.sam.token, 'GET', `/metrics/daily?${RANGE}&by=team`);
    expect(sam.body.rows.map((row) => [row.date, row.teamId, row.conversations, row.resolved])).toEqual([
      ['2026-03-02', f.sales, 4, 3],
      ['2026-03-03', f.sales, 1, 0],
    ]);
    const otherTeam = await call(f.server, f.sam.token, 'GET', `/metrics/daily?${RANGE}&teamId=${f.support}`);
    expect(otherTeam.status).toBe(404);
    expect(otherTeam.body).toEqual({ code: 'not_found', reason: 'team_missing' });
    const csvOtherTeam = await call(f.server, f.sam.token, 'GET', `/metrics/daily.csv?${RANGE}&teamId=${f.support}`);
    expect(csvOtherTeam.status).toBe(404);
    for (const path of [`/metrics/daily?${RANGE}`, `/metrics/daily.csv?${RANGE}`, '/metrics/agents/today']) {
      const agent = await call(f.server, f.ana.token, 'GET', path);
      expect(agent.status).toBe(403);
      expect(agent.body).toEqual({ code: 'forbidden', reason: 'supervisor_only' });
    }

    const malformed = (path: string) => ({
      code: 'bad_request',
      reason: 'malformed',
      params: { request: 'http', part: 'querystring', path },
    });
    const cases: [string, string][] = [
      ['from=2026-01-01&to=2027-01-02', 'to'],
      ['from=2026-03-03&to=2026-03-02', 'to'],
      ['from=2026-02-30&to=2026-03-02', 'from'],
      [`${RANGE}&tz=Mars/Olympus`, 'tz'],
      [`${RANGE}&by=weather`, 'by'],
      ['from=2026-03-02', 'to'],
    ];
    for (const [query, path] of cases) {
      const refused = await call(f.server, f.admin.token, 'GET', `/metrics/daily?${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.body, query).toEqual(malformed(path));
    }
    // 366 days is the most one request covers.
    expect((await call(f.server, f.admin.token, 'GET', '/metrics/daily?from=2026-01-01&to=2027-01-01')).status).toBe(
      200,
    );
  });

  it('exports CSV: a header, RFC 4180 quoting, CRLF lines and an attachment name', async () => {
    const f = await fixture();
    const csv = await call(f.server, f.admin.token, 'GET', `/metrics/daily.csv?${RANGE}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(
      'attachment; filename="parley-metrics-2026-03-02-2026-03-03.csv"',
    );
    expect(csv.text.endsWith('\r\n')).toBe(true);
    const lines = csv.text.slice(0, -2).split('\r\n');
    expect(lines[0]).toBe(
      'date,team_id,team_name,agent_id,agent_name,channel,conversations,resolved,first_response_median_seconds,resolution_median_seconds',
    );
    expect(lines).toHaveLength(5);
    expect(lines).toContain(`2026-03-02,${f.sales},"Sales, ""EU""",${f.ana.id},Ana,whatsapp,3,2,120,900`);
    expect(lines).toContain(`2026-03-02,${f.sales},"Sales, ""EU""",${f.ben.id},Ben,whatsapp,1,1,,39600`);
    expect(lines).toContain(`2026-03-02,${f.support},Support,${f.cid.id},Cid,whatsapp,1,0,30,`);
    expect(lines).toContain(`2026-03-03,${f.sales},"Sales, ""EU""",${f.ana.id},Ana,messenger,1,0,45,`);
  });
  it('keeps names that look like spreadsheet formulas from running', async () => {
    server = await startTestServer();
    const sales = await team(server, '=HYPERLINK("http://evil.example","Sales")');
    const ana = await person(server, { role: 'agent', name: '@Ana', teamIds: [sales] });
    const admin = await person(server, { role: 'admin' });
    await conversation(server, { teamId: sales, assignee: ana, createdAt: DAY1 + H });
    const csv = await call(server, admin.token, 'GET', `/metrics/daily.csv?${RANGE}`);
    expect(csv.text.split('\r\n')[1]).toBe(
      `2026-03-02,${sales},"'=HYPERLINK(""http://evil.example"",""Sales"")",${ana.id},'@Ana,whatsapp,1,0,,`,
    );
  });
});

describe('/api/v1/metrics/agents/today', () => {
  it("gives each visible person's open conversations and today's median first response", async () => {
    const f = await fixture();
    const now = Date.now();
    const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
    // First answered today (a few milliseconds after midnight UTC, so always today).
    await conversation(f.server, {
      teamId: f.sales,
      assignee: f.ana,
      createdAt: today + 1 - 100 * S,
      firstResponseAfter: 100 * S,
    });
    await conversation(f.server, {
      teamId: f.sales,
      assignee: f.ana,
      createdAt: today + 2 - 300 * S,
      firstResponseAfter: 300 * S,
      resolvedAfter: 400 * S,
    });
    await conversation(f.server, {
      teamId: f.sales,
      assignee: f.ben,
      createdAt: today + 3 - 50 * S,
      firstResponseAfter: 50 * S,
    });
    // An integration is not a person: it is never listed.
    await call(f.server, f.admin.token, 'POST', '/tokens', { body: { name: 'Bot', role: 'supervisor' } });

    type Today = { agents: { agentId: string; open: number; firstResponseMedianSeconds: number | null }[] };
    const admin = await call<Today>(f.server, f.admin.token, 'GET', '/metrics/agents/today');
    expect(admin.status).toBe(200);
    expect(admin.body.agents).toEqual([
      { agentId: f.admin.id, open: 0, firstResponseMedianSeconds: null },
      { agentId: f.ana.id, open: 3, firstResponseMedianSeconds: 200 },
      { agentId: f.ben.id, open: 3, firstResponseMedianSeconds: 50 },
      { agentId: f.cid.id, open: 1, firstResponseMedianSeconds: null },
      { agentId: f.sam.id, open: 0, firstResponseMedianSeconds: null },
    ]);
    const sam = await call<Today>(f.server, f.sam.token, 'GET', '/metrics/agents/today');
    expect(sam.body.agents.map((agent) => agent.agentId)).toEqual([f.ana.id, f.ben.id, f.sam.id]);
    const support = await call<Today>(f.server, f.admin.token, 'GET', `/metrics/agents/today?teamId=${f.support}`);
    expect(support.body.agents).toEqual([{ agentId: f.cid.id, open: 1, firstResponseMedianSeconds: null }]);
    expect((await call(f.server, f.sam.token, 'GET', `/metrics/agents/today?teamId=${f.support}`)).status).toBe(404);
  });
});
