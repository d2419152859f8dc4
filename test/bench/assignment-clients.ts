/**
 * The client side of the assignment fan-out benchmark, in its own process so the clients'
 * work does not slow the server's event loop (and the other way round). Reads its plan from
 * the file named in argv[2], prints one JSON line of results on stdout.
 *
 * Two runs, same clients, same machine, same minute:
 * - `parley`: every user signed in on a real Parley server; a supervisor reassigns a
 *   conversation; timed until both agents and every supervisor hold the new assignee.
 * - `floor`: the same number of plain socket.io clients on a raw socket.io server that
 *   broadcasts a message to all of them; timed until the same number of clients got it.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';

const PlanSchema = z.object({
  parleyUrl: z.string(),
  floorUrl: z.string(),
  protocolVersion: z.number(),
  password: z.string(),
  users: z.array(z.object({ email: z.string(), id: z.string(), role: z.string() })),
  reassignments: z.array(
    z.object({
      conversationId: z.string(),
      supervisorId: z.string(),
      fromId: z.string(),
      toId: z.string(),
    }),
  ),
  floorRounds: z.number().int().positive(),
  /** Clients that must see a change for it to count as visible: both agents and every supervisor. */
  watchers: z.number().int().positive(),
});
type Plan = z.infer<typeof PlanSchema>;

const TIMEOUT_MS = 10_000;

const ChangesSchema = z.object({
  changes: z.array(z.object({ entity: z.string(), data: z.looseObject({ id: z.string() }) })),
});

async function signIn(url: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`sign-in of ${email} failed: ${response.status} ${await response.text()}`);
  const body = z.object({ token: z.string() }).parse(await response.json());
  return body.token;
}

function connect(url: string, auth: Record<string, string>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], auth, reconnection: false });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
}

async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  }
  return results;
}

async function runParley(plan: Plan): Promise<number[]> {
  const tokens = await inBatches(plan.users, 8, (user) => signIn(plan.parleyUrl, user.email, plan.password));
  const sockets = new Map<string, Socket>();
  await inBatches(plan.users, 20, async (user) => {
    const token = tokens[plan.users.indexOf(user)] ?? '';
    const socket = await connect(plan.parleyUrl, { token });
    const welcome: unknown = await socket.timeout(TIMEOUT_MS).emitWithAck('hello', {
      protocolVersion: plan.protocolVersion,
      client: 'parley-bench',
    });
    if (!z.object({ ok: z.literal(true) }).safeParse(welcome).success) {
      throw new Error(`hello refused for ${user.email}: ${JSON.stringify(welcome)}`);
    }
    sockets.set(user.id, socket);
  });

  // Who has seen which assignment: conversation:assignee -> time per user.
  const seen = new Map<string, Map<string, number>>();
  for (const [userId, socket] of sockets) {
    socket.on('sync:changes', (payload: unknown) => {
      const at = performance.now();
      const batch = ChangesSchema.safeParse(payload);
      if (!batch.success) return;
      for (const change of batch.data.changes) {
        if (change.entity !== 'conversation') continue;
        const key = `${change.data.id}:${String(change.data['assigneeId'])}`;
        let times = seen.get(key);
        if (times === undefined) seen.set(key, (times = new Map<string, number>()));
        if (!times.has(userId)) times.set(userId, at);
      }
    });
  }

  const supervisors = plan.users.filter((user) => user.role === 'supervisor').map((user) => user.id);
  const latencies: number[] = [];
  for (const [index, step] of plan.reassignments.entries()) {
    const socket = sockets.get(step.supervisorId);
    if (socket === undefined) throw new Error('the supervisor is not connected');
    const watchers = [step.fromId, step.toId, ...supervisors];
    const key = `${step.conversationId}:${step.toId}`;
    const start = performance.now();
    const result: unknown = await socket.timeout(TIMEOUT_MS).emitWithAck('mutate', {
      type: 'conversation.assign',
      clientId: `bench-${process.pid}-${index}`,
      conversationId: step.conversationId,
      assigneeId: step.toId,
    });
    if (!z.object({ ok: z.literal(true) }).safeParse(result).success) {
      throw new Error(`reassignment refused: ${JSON.stringify(result)}`);
    }
    const deadline = start + TIMEOUT_MS;
    for (;;) {
      const times = seen.get(key);
      if (times !== undefined && watchers.every((id) => times.has(id))) {
        latencies.push(Math.max(...watchers.map((id) => times.get(id) ?? Number.NaN)) - start);
        break;
      }
      if (performance.now() > deadline) throw new Error(`reassignment ${index} not seen by everyone in time`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    // A supervisor's pace, not a flood: one reassignment every 20 ms.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const socket of sockets.values()) socket.disconnect();
  return latencies;
}

async function runFloor(plan: Plan): Promise<number[]> {
  const sockets = await inBatches(plan.users, 20, () => connect(plan.floorUrl, {}));
  const watchers = sockets.slice(0, plan.watchers);
  const latencies: number[] = [];
  for (let round = 0; round < plan.floorRounds; round += 1) {
    const arrived: number[] = [];
    const done = new Promise<void>((resolve) => {
      for (const socket of watchers) {
        socket.once('broadcast', () => {
          arrived.push(performance.now());
          if (arrived.length === watchers.length) resolve();
        });
      }
    });
    const start = performance.now();
    sockets[0]?.emit('send', { round, conversationId: 'c', assigneeId: 'a' });
    await done;
    latencies.push(Math.max(...arrived) - start);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const socket of sockets) socket.disconnect();
  return latencies;
}

const plan = PlanSchema.parse(JSON.parse(fs.readFileSync(process.argv[2] ?? '', 'utf8')));
const floor = await runFloor(plan);
const parley = await runParley(plan);
process.stdout.write(`${JSON.stringify({ floor, parley })}\n`);
process.exit(0);
