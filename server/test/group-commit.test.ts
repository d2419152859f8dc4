import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, test } from 'vitest';
import { LIVE_READ_MAX, type ChangeSet, type Trx } from '../src/platform/store.js';
import { runInSlices } from '../src/platform/slices.js';
import { whatsapp } from '../src/modules/channels/index.js';
import { listChannelAccounts } from '../src/modules/channelAccounts/index.js';
import { ingestEvents } from '../src/modules/inbound/index.js';
import {
  batchHasMessage,
  connectReady,
  messagesByExternalId,
  postWebhook,
  signIn,
  startTestServer,
  whatsappText,
  type TestServer,
} from './helpers.js';
import { closeStores, committedIds, insertRow, openStore, range, rowSightRow, seqsOf } from './support/store-writes.js';

/**
 * Group commit: the grouped writes (every webhook's) asked for while a transaction runs are
 * stored together in the next one, each in a savepoint of its own. Each is answered only
 * once that transaction has committed; one that fails is undone alone; the seqs of the
 * others stay gap-free; and a retry of a webhook in the same transaction as its original
 * is still a duplicate.
 */

const servers: TestServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.cleanup();
  await closeStores();
});

class Refused extends Error {}

describe('grouped writes on the store', () => {
  test('asked for together, they commit in one transaction and one batch, and each resolves only once committed', async () => {
    const { store, reader, batches } = await openStore();
    const head = await store.head();
    const seenWhenResolved: boolean[] = [];
    const batchesWhenResolved: number[] = [];
    const writes = Array.from({ length: 5 }, () =>
      store.write(insertRow(), { grouped: true }).then(async (id) => {
        batchesWhenResolved.push(batches.length);
        seenWhenResolved.push((await committedIds(reader)).includes(id));
        return id;
      }),
    );
    const ids = await Promise.all(writes);

    // Committed before any was answered: another connection already saw each row.
    expect(seenWhenResolved).toEqual([true, true, true, true, true]);
    // One transaction: one batch, published before the first answer.
    expect(batchesWhenResolved).toEqual([1, 1, 1, 1, 1]);
    expect(batches).toHaveLength(1);
    const [batch] = batches;
    expect(batch?.after).toBe(head);
    expect(batch?.upTo).toBe(head + 5);
    expect(batch === undefined ? [] : seqsOf(batch)).toEqual(range(head, head + 5));
    expect(new Set(batch?.changes.map((change) => change.data.id))).toEqual(new Set(ids));
  });

  test('one that throws, or that the database refuses, is undone alone: the others commit, their seqs gap-free', async () => {
    const { store, reader, batches } = await openStore();
    const head = await store.head();
    const first = randomUUID();
    const outcomes = await Promise.allSettled([
      store.write(insertRow(first), { grouped: true }),
      // Stamps a seq and writes, then fails in the code: its row and its seq are undone.
      store.write(
        async (trx, changes) => {
          await insertRow()(trx, changes);
          throw new Refused('refused by the code');
        },
        { grouped: true },
      ),
      store.write(insertRow(), { grouped: true }),
      // The database refuses it (the same primary key as the first): on PostgreSQL this
      // aborts the transaction, and only its savepoint's rollback lets the others go on.
      store.write(insertRow(first), { grouped: true }),
      store.write(insertRow(), { grouped: true }),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const refused = outcomes[1];
    expect(refused?.status === 'rejected' ? refused.reason : null).toBeInstanceOf(Refused);
    const stored = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [String(outcome.value)] : []));
    expect(new Set(await committedIds(reader))).toEqual(new Set(stored));

    expect(batches).toHaveLength(1);
    const [batch] = batches;
    expect(batch?.after).toBe(head);
    expect(batch?.upTo).toBe(head + 3);
    expect(batch === undefined ? [] : seqsOf(batch)).toEqual(range(head, head + 3));
    // The next write goes on from there: no seq was lost to the rolled-back ones.
    const next = await store.write(insertRow());
    expect(batches[1]?.after).toBe(head + 3);
    expect(batches[1]?.changes.map((change) => change.data.id)).toEqual([next]);
    expect(await store.head()).toBe(head + 4);
  });

  test('a group runs each write once when none fails; when one throws, the others run again and are stored once', async () => {
    const { store, reader, batches } = await openStore();
    const head = await store.head();
    const runs = new Map<string, number>();
    const counted =
      (id: string, fail = false) =>
      async (trx: Trx, changes: ChangeSet) => {
        runs.set(id, (runs.get(id) ?? 0) + 1);
        await insertRow(id)(trx, changes);
        if (fail) throw new Refused('refused by the code');
        return id;
      };
    // Without a savepoint each: one run each.
    const quiet = ['q1', 'q2', 'q3'].map((name) => `${name}-${randomUUID()}`);
    await Promise.all(quiet.map((id) => store.write(counted(id), { grouped: true })));
    expect(quiet.map((id) => runs.get(id))).toEqual([1, 1, 1]);

    // One throws: the transaction that ran them all is rolled back, and they run again, each
    // in a savepoint. The first and the failing one ran twice; the last only in the second.
    const [a, b, c] = ['a', 'b', 'c'].map((name) => `${name}-${randomUUID()}`) as [string, string, string];
    const outcomes = await Promise.allSettled([
      store.write(counted(a), { grouped: true }),
      store.write(counted(b, true), { grouped: true }),
      store.write(counted(c), { grouped: true }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect([runs.get(a), runs.get(b), runs.get(c)]).toEqual([2, 2, 1]);
    // Stored once each, with gap-free seqs, in one batch after the first group's.
    const ids = await committedIds(reader);
    expect(ids.filter((id) => id === a || id === c)).toHaveLength(2);
    expect(ids).not.toContain(b);
    expect(batches).toHaveLength(2);
    expect(batches[1]?.after).toBe(head + 3);
    expect(batches[1] === undefined ? [] : seqsOf(batches[1])).toEqual(range(head + 3, head + 5));
  });

  test("what another node reads back of a commit is the batch it published: rows, changes of sight, the range's end", async () => {
    const { store, batches } = await openStore();
    const head = await store.head();
    const ids = [randomUUID(), randomUUID()];
    await store.write(async (trx, changes) => {
      await rowSightRow(ids)(trx, changes);
    });
    const [published] = batches;
    const read = await store.readCommitted(head);
    expect(read?.after).toBe(head);
    expect(read?.upTo).toBe(head + 3);
    expect(read === null ? [] : seqsOf(read)).toEqual(published === undefined ? [] : seqsOf(published));
    expect(read?.changes.map((change) => change.data.id).sort()).toEqual([...ids].sort());
    expect(read?.access).toEqual([
      { agentId: 'agent-1', conversationId: 'conversation-1', visible: true, seq: head + 2 },
    ]);
    expect(read?.access).toEqual(published?.access);
    // Up to a seq: the first row alone.
    const first = await store.readCommitted(head, head + 1);
    expect(first?.changes.map((change) => change.data.id)).toEqual([ids[0]]);
    expect(first?.access).toEqual([]);
    // Nothing after the head.
    expect(await store.readCommitted(head + 3)).toBeNull();
  });

  test('a range past LIVE_READ_MAX rows is read as an empty batch at its end, for clients to pull', async () => {
    const { store } = await openStore();
    const head = await store.head();
    await store.write(async (trx, changes) => {
      for (let index = 0; index <= LIVE_READ_MAX; index += 1) await insertRow()(trx, changes);
    });
    const read = await store.readCommitted(head);
    expect(read?.after).toBe(head + LIVE_READ_MAX + 1);
    expect(read?.upTo).toBe(head + LIVE_READ_MAX + 1);
    expect(read?.changes).toEqual([]);
    // One short of it is read whole.
    const under = await store.readCommitted(head + 1);
    expect(under?.changes).toHaveLength(LIVE_READ_MAX);
  });

  test('a group of one that fails rejects, and the writes after it still run', async () => {
    const { store, reader } = await openStore();
    await expect(
      store.write(
        async (trx, changes) => {
          await insertRow()(trx, changes);
          throw new Refused('alone');
        },
        { grouped: true },
      ),
    ).rejects.toBeInstanceOf(Refused);
    const id = await store.write(insertRow(), { grouped: true });
    expect(await committedIds(reader)).toEqual([id]);
  });

  test('with a spacing, writes asked for one by one soon after a transaction share the next one', async () => {
    const spacingMs = 300;
    const { store, batches } = await openStore({ groupSpacingMs: spacingMs });
    // After a quiet spell, the first starts at once.
    const quietStart = performance.now();
    await store.write(insertRow(), { grouped: true });
    const firstTook = performance.now() - quietStart;
    expect(firstTook).toBeLessThan(spacingMs);
    // Then three more, each in a task of its own, as webhooks arriving a few ms apart.
    const later: Promise<string>[] = [];
    for (let index = 0; index < 3; index += 1) {
      later.push(store.write(insertRow(), { grouped: true }));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(later);
    // Without the spacing each would have had a transaction (and a batch) of its own.
    expect(batches).toHaveLength(2);
    expect(batches[1]?.changes).toHaveLength(3);
    // Not started before the spacing since the first transaction began.
    expect(performance.now() - quietStart).toBeGreaterThanOrEqual(spacingMs);
  });
});

describe('webhooks stored together', () => {
  const T0 = 1_749_416_383;
  const REFUSED_TEXT = 'refused by the database';

  /** Makes the database refuse to store a message with REFUSED_TEXT, as a full disk or a broken row would. */
  async function refuseText(server: TestServer): Promise<void> {
    const db = server.store.db;
    if (server.store.engine === 'sqlite') {
      await sql
        .raw(
          `create trigger refuse_text before insert on messages when new.text = '${REFUSED_TEXT}' ` +
            `begin select raise(abort, 'refused'); end`,
        )
        .execute(db);
    } else {
      await sql
        .raw(
          `create function refuse_text() returns trigger language plpgsql as $$ begin ` +
            `if new.text = '${REFUSED_TEXT}' then raise exception 'refused'; end if; return new; end $$`,
        )
        .execute(db);
      await sql
        .raw('create trigger refuse_text before insert on messages for each row execute function refuse_text()')
        .execute(db);
    }
  }

  function text(n: number, body: string = `message ${n}`): Record<string, unknown> {
    return whatsappText({
      from: `1650555${String(1000 + n)}`,
      name: `Customer ${n}`,
      id: `wamid.GROUP${n}`,
      text: body,
      timestampSeconds: T0 + n,
    });
  }

  test('concurrent webhooks: a refused one fails alone, a retry is a duplicate, every live batch follows the last', async () => {
    const server = await startTestServer();
    servers.push(server);
    const { token } = await signIn(server);
    const { batches, head } = await connectReady(server, token);
    await refuseText(server);

    const bodies = [text(1), text(2), text(3, REFUSED_TEXT), text(4), text(2), text(5), text(1)];
    const responses = await Promise.all(bodies.map((body) => postWebhook(server, 'whatsapp', body)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((_, index) => index !== 2)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(statuses[2]).toBeGreaterThanOrEqual(500);

    for (const n of [1, 2, 4, 5]) {
      expect(await messagesByExternalId(server, `wamid.GROUP${n}`)).toBe(1);
      await batches.waitFor(batchHasMessage(`wamid.GROUP${n}`), `message ${n}`);
    }
    expect(await messagesByExternalId(server, 'wamid.GROUP3')).toBe(0);
    // Every batch starts where the one before ended, up to the head: nothing skipped.
    const last = await server.store.head();
    await batches.waitFor((batch) => batch.upTo === last, 'the head');
    let cursor = head;
    for (const batch of batches.all) {
      expect(batch.after).toBe(cursor);
      cursor = batch.upTo;
    }
    expect(cursor).toBe(last);
    // Each message reached the socket once.
    const delivered = batches.all.flatMap((batch) =>
      batch.changes.flatMap((change) => (change.entity === 'message' ? [change.data.externalId] : [])),
    );
    expect(delivered.filter((id) => id === 'wamid.GROUP1')).toHaveLength(1);
    expect(delivered.filter((id) => id === 'wamid.GROUP2')).toHaveLength(1);

    // Meta retries the refused one once the cause is gone: it is stored then.
    await sql
      .raw('drop trigger refuse_text' + (server.store.engine === 'postgres' ? ' on messages' : ''))
      .execute(server.store.db);
    expect((await postWebhook(server, 'whatsapp', text(3, REFUSED_TEXT))).status).toBe(200);
    expect(await messagesByExternalId(server, 'wamid.GROUP3')).toBe(1);
  });

  test('the same webhook ingested three times at once: stored once, the others duplicates', async () => {
    const server = await startTestServer();
    servers.push(server);
    const accounts = await listChannelAccounts(server.store, 'whatsapp');
    const parsed = await runInSlices(whatsapp.steps(text(7)));
    const events = parsed.events.map((event) => {
      const account = accounts.find((candidate) => candidate.external_id === event.accountExternalId);
      if (account === undefined) throw new Error('no account');
      return { ...event, account };
    });
    const results = await Promise.all([1, 2, 3].map(() => ingestEvents(server.store, events)));
    expect(results.map((result) => result.stored).sort()).toEqual([0, 0, 1]);
    expect(results.map((result) => result.duplicates).sort()).toEqual([0, 1, 1]);
    expect(await messagesByExternalId(server, 'wamid.GROUP7')).toBe(1);
  });
});
