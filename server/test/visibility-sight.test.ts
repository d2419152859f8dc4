import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Change, LiveBatch } from '@parley/protocol';
import { canSee, loadScopes, principalOf, scopesChanged, sees, snapshotScopes } from '../src/modules/access/index.js';
import { pull as pullSync } from '../src/modules/sync/index.js';
import { connectReady, deliver, whatsappText, type BatchRecorder } from './helpers.js';
import {
  T0,
  contactOf,
  conversationOf,
  conversationsOfMessages,
  idsOf,
  mutate,
  pull,
  pullAll,
  server,
  sorted,
  world,
} from './visibility-world.js';

/** Who sees what (see visibility-world.ts): losing and gaining sight, and the SQL rule against the in-memory one. */

describe('losing and gaining sight', () => {
  async function removeAnaFromTeamA(): Promise<void> {
    await server.store.write(async (trx, changes) => {
      const before = await snapshotScopes(trx, [world.ana.id]);
      await trx
        .deleteFrom('team_members')
        .where('team_id', '=', world.teamA)
        .where('agent_id', '=', world.ana.id)
        .execute();
      await scopesChanged(trx, changes, before);
    });
  }

  const removals = (changes: readonly Change[]): string[] =>
    changes.flatMap((change) => (change.entity === 'removal' ? [change.data.id] : [])).sort();

  it('an agent moved out of a team gets removals for its conversations, live and in a pull', async () => {
    const ana = await connectReady(server, world.ana.token);
    const sue = await connectReady(server, world.sue.token);
    const ben = await connectReady(server, world.ben.token);
    const { cursor } = await pullAll(ana.socket, 0);
    await removeAnaFromTeamA();
    const head = await server.store.head();
    const done = (recorder: BatchRecorder): Promise<LiveBatch> =>
      recorder.waitFor((batch) => batch.upTo === head, 'the move');
    const [forAna, forSue, forBen] = await Promise.all([done(ana.batches), done(sue.batches), done(ben.batches)]);
    // Ana keeps cBana (assigned to her); Sue no longer supervises Ana, so loses it.
    expect(removals(forAna.changes)).toEqual([world.cA]);
    expect(removals(forSue.changes)).toEqual([world.cBana]);
    // Ben loses nothing; like everyone, he learns Ana's teams changed.
    expect(forBen.changes.map((change) => `${change.entity}:${change.data.id}`)).toEqual([`agent:${world.ana.id}`]);
    const anaNow = forBen.changes[0];
    expect(anaNow?.entity === 'agent' ? anaNow.data.teamIds : null).toEqual([]);
    for (const batch of [forAna, forSue, forBen]) expect(batch.upTo).toBe(head);
    // A client that was away learns the same from a pull.
    const later = await pullAll(ana.socket, cursor);
    expect(removals(later.changes)).toEqual([world.cA]);
    expect(idsOf(later.changes, 'conversation')).toEqual([]);
    expect(later.cursor).toBe(head);
    // And the rule agrees.
    const principal = await principalOf(server.store.db, world.ana.id);
    if (principal === null) throw new Error('no principal');
    expect(await canSee(server.store.db, principal, world.cA)).toBe(false);
    expect(await canSee(server.store.db, principal, world.cBana)).toBe(true);
  });

  it('a transfer removes the conversation from the old team and brings it whole to the new one', async () => {
    const ada = await connectReady(server, world.ada.token);
    const ana = await connectReady(server, world.ana.token);
    const ben = await connectReady(server, world.ben.token);
    const { cursor: anaCursor } = await pullAll(ana.socket, 0);
    const moved = await mutate(ada.socket, {
      type: 'conversation.transfer',
      clientId: randomUUID(),
      conversationId: world.cB,
      teamId: world.teamA,
    });
    expect(moved.ok).toBe(true);
    const head = await server.store.head();
    const [forAna, forBen] = await Promise.all([
      ana.batches.waitFor((batch) => batch.upTo === head, 'the transfer'),
      ben.batches.waitFor((batch) => batch.upTo === head, 'the transfer'),
    ]);
    expect(removals(forBen.changes)).toEqual([world.cB]);
    expect(idsOf(forAna.changes, 'conversation')).toEqual([world.cB]);
    expect(idsOf(forAna.changes, 'contact')).toEqual([await contactOf(world.cB)]);
    expect(conversationsOfMessages(forAna.changes)).toEqual([world.cB]);
    expect(forAna.after).toBe(forBen.after);
    // From a pull, the conversation arrives with its contact and its messages, though they are older than the cursor.
    const later = await pullAll(ana.socket, anaCursor);
    expect(idsOf(later.changes, 'conversation')).toEqual([world.cB]);
    expect(conversationsOfMessages(later.changes)).toEqual([world.cB]);
    expect(idsOf(later.changes, 'contact')).toEqual([await contactOf(world.cB)]);
    expect(removals(later.changes)).toEqual([]);
  });

  it('many conversations coming into sight at once make the client pull them, in pages that stay small', async () => {
    // 21 more customers in team A: more than a live batch carries whole.
    for (let i = 0; i < 21; i += 1) {
      const from = `1555100${String(i).padStart(4, '0')}`;
      await deliver(
        server,
        'whatsapp',
        whatsappText({ from, name: `Many ${i}`, id: `wamid.MANY${i}`, text: `many ${i}`, timestampSeconds: T0 + i }),
      );
      await server.store.db
        .updateTable('conversations')
        .set({ team_id: world.teamA })
        .where('id', '=', await conversationOf(from))
        .execute();
    }
    const ben = await connectReady(server, world.ben.token);
    const { cursor } = await pullAll(ben.socket, 0);
    await server.store.write(async (trx, changes) => {
      const before = await snapshotScopes(trx, [world.ben.id]);
      await trx.insertInto('team_members').values({ team_id: world.teamA, agent_id: world.ben.id }).execute();
      await scopesChanged(trx, changes, before);
    });
    const head = await server.store.head();
    const live = await ben.batches.waitFor((batch) => batch.upTo === head, 'the join');
    // `after` at the head: past Ben's cursor, so his client pulls.
    expect(live.after).toBe(head);
    expect(live.after).toBeGreaterThan(cursor);
    let pages = 0;
    let at = cursor;
    const arrived: Change[] = [];
    for (;;) {
      const page = await pull(ben.socket, at, 100);
      pages += 1;
      arrived.push(...page.changes);
      // A conversation that comes into sight weighs its messages: about two a page of 100.
      expect(idsOf(page.changes, 'conversation').length).toBeLessThanOrEqual(2);
      at = page.cursor;
      if (!page.hasMore) break;
    }
    expect(at).toBe(head);
    expect(pages).toBeGreaterThan(10);
    const teamA = await server.store.db
      .selectFrom('conversations')
      .select('id')
      .where('team_id', '=', world.teamA)
      .execute();
    expect(teamA).toHaveLength(22);
    expect(idsOf(arrived, 'conversation')).toEqual(teamA.map((row) => row.id).sort());
    expect(conversationsOfMessages(arrived)).toEqual(teamA.map((row) => row.id).sort());
    expect(removals(arrived)).toEqual([]);
  });

  it('a deactivated user loses everything; an admin sees everything; a supervisor their agents’ conversations', async () => {
    const scopes = await loadScopes(server.store.db);
    const placement = async (id: string): Promise<{ teamId: string | null; assigneeId: string | null }> => {
      const row = await server.store.db
        .selectFrom('conversations')
        .select(['team_id', 'assignee_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return { teamId: row.team_id, assigneeId: row.assignee_id };
    };
    expect(sees(scopes, world.sue.id, await placement(world.cBana))).toBe(true);
    expect(sees(scopes, world.sue.id, await placement(world.cB))).toBe(false);
    for (const id of [world.cA, world.cB, world.cBana])
      expect(sees(scopes, world.ada.id, await placement(id))).toBe(true);
    const ben = await connectReady(server, world.ben.token);
    const { cursor } = await pullAll(ben.socket, 0);
    await server.store.write(async (trx, changes) => {
      const before = await snapshotScopes(trx, [world.ben.id]);
      await trx
        .updateTable('agents')
        .set({ active: 0, seq: await changes.nextSeq('agent', world.ben.id) })
        .where('id', '=', world.ben.id)
        .execute();
      await scopesChanged(trx, changes, before);
    });
    const head = await server.store.head();
    const batch = await ben.batches.waitFor((b) => b.upTo === head, 'the deactivation');
    expect(removals(batch.changes)).toEqual(sorted([world.cB, world.cBana]));
    expect(batch.changes.filter((change) => change.entity !== 'removal')).toEqual([]);
    // The session guard ends a deactivated account's socket at its next request (by design), so
    // its pulls are asked of the sync module itself, as the socket's handler asks them.
    const principal = await principalOf(server.store.db, world.ben.id);
    if (principal === null) throw new Error('no principal for Ben');
    const later = await pullSync(server.store, principal, cursor, 500);
    expect(later.hasMore).toBe(false);
    expect(removals(later.changes)).toEqual(sorted([world.cB, world.cBana]));
    // From scratch, a deactivated account is sent nothing at all, and its cursor still reaches the head.
    const fresh = await pullSync(server.store, principal, 0, 500);
    expect(fresh).toEqual({ changes: [], cursor: head, hasMore: false, head });
  });
});

describe('the SQL rule and the in-memory rule', () => {
  it('agree on generated teams, roles and placements', async () => {
    // A small deterministic generator: the same cases on every run.
    let state = 42;
    const random = (n: number): number => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state % n;
    };
    const agents = (await server.store.db.selectFrom('agents').select('id').execute()).map((row) => row.id);
    const teams = [
      world.teamA,
      world.teamB,
      (await server.store.db.selectFrom('teams').select('id').where('name', '=', 'Everyone').executeTakeFirstOrThrow())
        .id,
    ];
    const conversations = [world.cA, world.cB, world.cBana];
    const roles = ['agent', 'supervisor', 'admin'] as const;
    let compared = 0;
    let seen = 0;
    for (let round = 0; round < 40; round += 1) {
      await server.store.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('team_members').execute();
        for (const agent of agents) {
          await trx
            .updateTable('agents')
            .set({ role: roles[random(3)] ?? 'agent', active: random(5) === 0 ? 0 : 1 })
            .where('id', '=', agent)
            .execute();
          for (const team of teams) {
            if (random(3) === 0)
              await trx.insertInto('team_members').values({ team_id: team, agent_id: agent }).execute();
          }
        }
        for (const conversation of conversations) {
          const team = random(4);
          const assignee = random(agents.length + 2);
          await trx
            .updateTable('conversations')
            .set({ team_id: teams[team] ?? null, assignee_id: agents[assignee] ?? null })
            .where('id', '=', conversation)
            .execute();
        }
      });
      const scopes = await loadScopes(server.store.db);
      const rows = await server.store.db.selectFrom('conversations').select(['id', 'team_id', 'assignee_id']).execute();
      for (const agent of agents) {
        const principal = await principalOf(server.store.db, agent);
        if (principal === null) throw new Error('no principal');
        for (const row of rows) {
          const inSql = await canSee(server.store.db, principal, row.id);
          const inMemory = sees(scopes, agent, { teamId: row.team_id, assigneeId: row.assignee_id });
          expect({ agent, conversation: row.id, round, sees: inMemory }).toEqual({
            agent,
            conversation: row.id,
            round,
            sees: inSql,
          });
          compared += 1;
          if (inSql) seen += 1;
        }
      }
    }
    // The cases cover both answers, in numbers.
    expect(compared).toBe(40 * 4 * 3);
    expect(seen).toBeGreaterThan(compared / 5);
    expect(seen).toBeLessThan(compared);
  });
});
