/**
 * Assignment fan-out: 200 agents and 10 supervisors connected (socket.io clients in a
 * second process, assignment-clients.ts); a supervisor reassigns a conversation from one
 * agent to another, timed until both agents and every supervisor hold the new assignee.
 * Target: p99 within 150 ms. The floor is a raw socket.io server broadcasting one message
 * to the same number of clients, measured in the same run; the ratio is what to judge by.
 *
 * The workspace: 10 teams of 20 agents, every supervisor in every team (so each
 * reassignment must reach all of them), 20 conversations a team, each assigned.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Server } from 'socket.io';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { loadConfig, signPayload, startServer, whatsappTextWebhook } from '@parley/server/testing';
import { fromEnv, printTable, summarize, writeResult } from './harness.js';

const AGENTS = fromEnv('BENCH_AGENTS', 200);
const SUPERVISORS = fromEnv('BENCH_SUPERVISORS', 10);
const TEAMS = 10;
const REASSIGNMENTS = fromEnv('BENCH_REASSIGNMENTS', 300);
const TARGET_P99_MS = 150;
const PASSWORD = 'bench password 1234';
const SECRET = 'bench-app-secret';
const PHONE_NUMBER_ID = '100000000000002';

const here = path.dirname(new URL(import.meta.url).pathname);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-assign-'));
const channelsFile = path.join(dataDir, 'channels.json');
fs.writeFileSync(
  channelsFile,
  JSON.stringify({
    channels: [
      {
        channel: 'whatsapp',
        externalId: PHONE_NUMBER_ID,
        name: 'Bench',
        accessToken: 'bench-token',
        appSecret: SECRET,
        verifyToken: 'bench-verify',
      },
    ],
  }),
);

const server = await startServer({
  ...loadConfig({}),
  port: 0,
  host: '127.0.0.1',
  dataDir,
  webDir: path.join(dataDir, 'no-web'),
  channelsFile,
  logLevel: 'warn',
  meta: { appSecret: SECRET, verifyToken: 'bench-verify' },
  graph: { ...loadConfig({}).graph, baseUrl: 'http://127.0.0.1:9' },
});

// People: the agents, the supervisors.
const users: { email: string; id: string; role: string }[] = [];
for (let i = 0; i < AGENTS + SUPERVISORS; i += 1) {
  const role = i < AGENTS ? 'agent' : 'supervisor';
  const agent = await server.agents.createAgent({
    email: `${role}${i}@bench.example`,
    name: `${role} ${i}`,
    role,
    password: PASSWORD,
  });
  users.push({ email: agent.email, id: agent.id, role });
}
const agents = users.filter((user) => user.role === 'agent');
const supervisors = users.filter((user) => user.role === 'supervisor');

// Conversations: customers write in.
const perTeam = 20;
for (let i = 0; i < TEAMS * perTeam; i += 1) {
  const body = JSON.stringify(
    whatsappTextWebhook({
      phoneNumberId: PHONE_NUMBER_ID,
      from: `4477008${String(i).padStart(5, '0')}`,
      name: `Customer ${i}`,
      id: `wamid.ASSIGNBENCH${i}`,
      text: `Hello, this is customer ${i}.`,
      timestampSeconds: Math.floor(Date.now() / 1000),
    }),
  );
  const response = await fetch(`${server.url}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(body, SECRET) },
    body,
  });
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
}

// Teams: 10 of 20 agents each, every supervisor in all; each conversation in a team and
// assigned to one of its agents. Set up before anyone connects, so written directly.
const conversations = await server.store.db.selectFrom('conversations').select('id').orderBy('id').execute();
const teamIds: string[] = [];
await server.store.db.transaction().execute(async (trx) => {
  await trx.deleteFrom('team_members').execute();
  for (let t = 0; t < TEAMS; t += 1) {
    const id = `bench-team-${t}`;
    teamIds.push(id);
    await trx
      .insertInto('teams')
      .values({
        id,
        name: `Team ${t}`,
        auto_assign: 0,
        offline_grace_minutes: 10,
        first_response_target_seconds: 300,
        waiting_target_seconds: 900,
        rules: '[]',
        created_at: Date.now(),
        seq: 0,
      })
      .execute();
    const members = [...agents.slice(t * (AGENTS / TEAMS), (t + 1) * (AGENTS / TEAMS)), ...supervisors];
    await trx
      .insertInto('team_members')
      .values(members.map((member) => ({ team_id: id, agent_id: member.id })))
      .execute();
  }
  for (const [i, conversation] of conversations.entries()) {
    const team = i % TEAMS;
    const teamAgents = agents.slice(team * (AGENTS / TEAMS), (team + 1) * (AGENTS / TEAMS));
    await trx
      .updateTable('conversations')
      .set({ team_id: teamIds[team] ?? null, assignee_id: teamAgents[i % teamAgents.length]?.id ?? null })
      .where('id', '=', conversation.id)
      .execute();
  }
});

// The plan: reassign within each conversation's team, to the next agent of the team.
const assignees = new Map<string, string>();
for (const row of await server.store.db.selectFrom('conversations').select(['id', 'assignee_id']).execute()) {
  if (row.assignee_id !== null) assignees.set(row.id, row.assignee_id);
}
const reassignments: { conversationId: string; supervisorId: string; fromId: string; toId: string }[] = [];
for (let i = 0; i < REASSIGNMENTS; i += 1) {
  const index = i % conversations.length;
  const conversationId = conversations[index]?.id ?? '';
  const team = index % TEAMS;
  const teamAgents = agents.slice(team * (AGENTS / TEAMS), (team + 1) * (AGENTS / TEAMS));
  const fromId = assignees.get(conversationId) ?? '';
  const at = teamAgents.findIndex((agent) => agent.id === fromId);
  const toId = teamAgents[(at + 1) % teamAgents.length]?.id ?? '';
  assignees.set(conversationId, toId);
  reassignments.push({ conversationId, supervisorId: supervisors[i % supervisors.length]?.id ?? '', fromId, toId });
}

// The floor: a raw socket.io server that broadcasts what it is sent to everyone.
const floorHttp = createServer();
const floor = new Server(floorHttp, { serveClient: false });
floor.on('connection', (socket) => {
  socket.on('send', (payload: unknown) => floor.emit('broadcast', payload));
});
await new Promise<void>((resolve) => floorHttp.listen(0, '127.0.0.1', resolve));
const floorAddress = floorHttp.address();
const floorPort = typeof floorAddress === 'object' && floorAddress !== null ? floorAddress.port : 0;

const planFile = path.join(dataDir, `plan-${randomBytes(4).toString('hex')}.json`);
fs.writeFileSync(
  planFile,
  JSON.stringify({
    parleyUrl: server.url,
    floorUrl: `http://127.0.0.1:${floorPort}`,
    protocolVersion: PROTOCOL_VERSION,
    password: PASSWORD,
    users,
    reassignments,
    floorRounds: REASSIGNMENTS,
    watchers: 2 + SUPERVISORS,
  }),
);

const loadBefore = os.loadavg()[0] ?? Number.NaN;
const output = await new Promise<string>((resolve, reject) => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'assignment-clients.ts'), planFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`clients exited with ${code}`))));
});
const loadAfter = os.loadavg()[0] ?? Number.NaN;
const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { floor: number[]; parley: number[] };

const parleySummary = summarize(result.parley);
const floorSummary = summarize(result.floor);
const ratio = parleySummary.p99 / floorSummary.p99;
const row = (name: string, s: ReturnType<typeof summarize>): Record<string, string | number> => ({
  path: name,
  count: s.count,
  p50_ms: s.p50,
  p95_ms: s.p95,
  p99_ms: s.p99,
  max_ms: s.max,
});
printTable(
  `Reassignment seen by both agents and all ${SUPERVISORS} supervisors, ${AGENTS + SUPERVISORS} users connected (load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)})`,
  [row('parley (mutation → every watcher)', parleySummary), row('raw socket.io broadcast (floor)', floorSummary)],
);
console.log(
  `p99 ${parleySummary.p99.toFixed(1)} ms against a target of ${TARGET_P99_MS} ms (${parleySummary.p99 <= TARGET_P99_MS ? 'met' : 'not met'}); ${ratio.toFixed(2)}× the raw floor's p99.`,
);
const file = writeResult('assignment-fanout', {
  agents: AGENTS,
  supervisors: SUPERVISORS,
  teams: TEAMS,
  parley: parleySummary,
  floor: floorSummary,
  p99RatioToFloor: ratio,
  targetP99Ms: TARGET_P99_MS,
  targetMet: parleySummary.p99 <= TARGET_P99_MS,
  loadAverage: { before: loadBefore, after: loadAfter },
});
console.log(`wrote ${file}`);

await floor.close();
await server.close();
fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
