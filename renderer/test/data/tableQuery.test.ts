import 'fake-indexeddb/auto';
import { TeamSchema, type Team } from '@parley/protocol';
import Dexie from 'dexie';
import { afterEach, expect, it } from 'vitest';
import { ParleyDb } from '../../src/data/db.js';
import { touchesTables, watchTables } from '../../src/data/tableQuery.js';
import { message } from '../fixtures.js';

function team(id: string, name: string): Team {
  return TeamSchema.parse({
    id,
    name,
    channelAccountIds: [],
    autoAssign: false,
    offlineGraceMinutes: 0,
    firstResponseTargetSeconds: 0,
    waitingTargetSeconds: 0,
    rules: [],
    seq: 1,
  });
}

let count = 0;
const opened: ParleyDb[] = [];

async function setup(): Promise<ParleyDb> {
  count += 1;
  const db = new ParleyDb(`table-query-test-${count}`);
  await db.open();
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

/** Resolves with the results once `predicate` holds of them. */
function until<T>(results: T[], predicate: (results: T[]) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = (): void => {
      if (predicate(results)) resolve();
      else if (Date.now() - started > 5_000) reject(new Error(`still ${JSON.stringify(results)}`));
      else setTimeout(check, 5);
    };
    check();
  });
}

it('reads again when one of its tables changes, not when another does, and not after it stops', async () => {
  const db = await setup();
  const results: string[][] = [];
  let runs = 0;
  const stop = watchTables(
    db,
    ['teams'],
    async () => {
      runs += 1;
      return (await db.teams.toArray()).map((team) => team.name);
    },
    (names) => results.push(names),
  );
  await until(results, (all) => all.length === 1);
  expect(results).toEqual([[]]);

  await db.messages.bulkPut([message({ id: 'm1' }), message({ id: 'm2' })]);
  await db.teams.put(team('t1', 'Billing'));
  await until(results, (all) => all.length === 2);
  expect(results[1]).toEqual(['Billing']);
  // The messages written before did not run it: one run to start, one for the team.
  expect(runs).toBe(2);

  stop();
  await db.teams.put(team('t2', 'Sales'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(results).toHaveLength(2);
});

it('knows a table from its parts, whatever the index', () => {
  const prefixes = ['idb://parley:me/teams/'];
  expect(touchesTables({ 'idb://parley:me/teams/': {} }, prefixes)).toBe(true);
  expect(touchesTables({ 'idb://parley:me/teams/name': {} }, prefixes)).toBe(true);
  expect(touchesTables({ 'idb://parley:me/teamsArchive/': {} }, prefixes)).toBe(false);
  expect(touchesTables({ 'idb://parley:me/messages/': {}, 'idb://parley:me/messages/mentions': {} }, prefixes)).toBe(
    false,
  );
});
