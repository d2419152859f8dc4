/**
 * One Parley node under load, for server.ts: the real server (server/dist), configured by
 * environment variables as in production, in a process of its own so that its CPU and memory
 * are its own. Started with `--expose-gc` and an IPC channel; it answers `stats` requests
 * with process.cpuUsage() and process.memoryUsage() (after a full GC when asked).
 *
 * With BENCH_CREATE_USERS=<n>, it first makes n users. The first is made as an admin makes a
 * user; the others are written to the store with the same password hash, since hashing the
 * same password n times would only measure scrypt. With BENCH_TEAMS=<t> (t > 0) they are
 * agents in t teams, user j in team j mod t, and team k answers the k-th WhatsApp number of
 * the channels file (in the order of their ids), so a message reaches its team's agents;
 * with BENCH_TEAMS=0 they are admins, who see every conversation, so every live batch
 * reaches every one of them.
 */
import { randomUUID } from 'node:crypto';
import { createTeam, loadConfig, setTeamMembers, startServer } from '@parley/server/testing';
import { z } from 'zod';
import { fromEnv } from './harness.js';

const RequestSchema = z.object({ type: z.literal('stats'), gc: z.boolean() });

const config = loadConfig();
const server = await startServer(config);
const wanted = fromEnv('BENCH_CREATE_USERS', 0);
const password = process.env['BENCH_PASSWORD'] ?? '';
const teams = fromEnv('BENCH_TEAMS', 0);
const role = teams > 0 ? 'agent' : 'admin';
if (wanted > 0) {
  const first = await server.agents.createAgent({
    email: 'user0@bench.example',
    name: 'User 0',
    role,
    password,
  });
  const row = await server.store.db
    .selectFrom('agents')
    .select('password_hash')
    .where('id', '=', first.id)
    .executeTakeFirstOrThrow();
  for (let i = 1; i < wanted; i += 100) {
    await server.store.write(async (trx, changes) => {
      for (let j = i; j < Math.min(wanted, i + 100); j += 1) {
        const id = randomUUID();
        await trx
          .insertInto('agents')
          .values({
            id,
            email: `user${j}@bench.example`,
            name: `User ${j}`,
            role,
            presence: 'offline',
            password_hash: row.password_hash,
            created_at: Date.now(),
            seq: await changes.nextSeq('agent', id),
          })
          .execute();
      }
    });
  }
}

if (wanted > 0 && teams > 0) {
  const accounts = await server.store.db
    .selectFrom('channel_accounts')
    .select('id')
    .where('channel', '=', 'whatsapp')
    .orderBy('external_id')
    .execute();
  if (accounts.length !== teams)
    throw new Error(`${teams} teams need as many WhatsApp numbers, not ${accounts.length}`);
  const users = await server.store.db.selectFrom('agents').select(['id', 'email']).execute();
  const idOf = new Map(users.map((user) => [user.email, user.id]));
  for (let k = 0; k < teams; k += 1) {
    const team = await createTeam(server.store, { name: `Team ${k}`, channelAccountIds: [accounts[k]?.id ?? ''] });
    if (!('id' in team)) throw new Error(`team ${k} was refused: ${JSON.stringify(team)}`);
    const members: string[] = [];
    for (let j = k; j < wanted; j += teams) members.push(idOf.get(`user${j}@bench.example`) ?? '');
    const set = await setTeamMembers(server.store, team.id, members);
    if (!('team' in set)) throw new Error(`team ${k}'s members were refused: ${JSON.stringify(set)}`);
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (message: unknown) => {
  const request = RequestSchema.safeParse(message);
  if (!request.success) return;
  if (request.data.gc && gc !== undefined) {
    gc();
    gc();
  }
  process.send?.({ type: 'stats', cpu: process.cpuUsage(), memory: process.memoryUsage(), at: performance.now() });
});
process.on('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
process.send?.({ type: 'ready', url: server.url, pid: process.pid });
