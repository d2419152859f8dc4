import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { scopesChanged, snapshotScopes } from '@parley/server/testing';
import { AGENT, customerWrites, startTestServer, type TestServer } from '../support/server.js';
import { signIn } from '../support/app.js';

/**
 * An agent who leaves a team stops seeing its conversations, and their laptop stops
 * holding them: the customers' messages leave IndexedDB while the agent is signed in.
 */

let server: TestServer;

test.beforeEach(async () => {
  server = await startTestServer();
});

test.afterEach(async () => {
  await server.cleanup();
});

type Cached = { conversations: string[]; messages: string[]; contacts: number };

test('an agent moved out of a team loses its conversations from IndexedDB', async ({ page }) => {
  const agent = await server.agents.createAgent({ ...AGENT, role: 'agent' });
  await customerWrites(server.url, {
    from: '447700900001',
    name: 'Oliver Bennett',
    id: 'wamid.VIS1',
    text: 'my card ends 4242',
  });
  await customerWrites(server.url, { from: '447700900002', name: 'Camille Durand', id: 'wamid.VIS2', text: 'Bonjour' });
  const db = server.store.db;
  const conversationOf = async (text: string): Promise<string> =>
    (await db.selectFrom('messages').select('conversation_id').where('text', '=', text).executeTakeFirstOrThrow())
      .conversation_id;
  const leaving = await conversationOf('my card ends 4242');
  const staying = await conversationOf('Bonjour');
  const everyone = (await db.selectFrom('teams').select('id').where('name', '=', 'Everyone').executeTakeFirstOrThrow())
    .id;

  // A second team, "Desk", holds the agent and Camille's conversation; Oliver's stays with Everyone.
  const desk = randomUUID();
  await server.store.write(async (trx, changes) => {
    await trx
      .insertInto('teams')
      .values({
        id: desk,
        name: 'Desk',
        auto_assign: 0,
        offline_grace_minutes: 10,
        first_response_target_seconds: 300,
        waiting_target_seconds: 900,
        rules: '[]',
        created_at: Date.now(),
        seq: await changes.nextSeq('team', desk),
      })
      .execute();
    await trx.insertInto('team_members').values({ team_id: desk, agent_id: agent.id }).execute();
    await trx
      .updateTable('conversations')
      .set({ team_id: desk, seq: await changes.nextSeq('conversation', staying) })
      .where('id', '=', staying)
      .execute();
  });

  await signIn(page, server.url);
  // Both teams' queues: the Unassigned view spans every team of the agent's.
  await page.getByTestId('view-unassigned').click();
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);

  const cached = (): Promise<Cached> =>
    page.evaluate(async () => {
      const names = (await indexedDB.databases()).map((info) => info.name ?? '');
      const name = names.find((candidate) => candidate.startsWith('parley:'));
      if (name === undefined) throw new Error('no Parley database');
      return new Promise<Cached>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error ?? new Error('open failed'));
        open.onsuccess = () => {
          const tx = open.result.transaction(['conversations', 'messages', 'contacts']);
          const conversations = tx.objectStore('conversations').getAllKeys();
          const messages = tx.objectStore('messages').getAll();
          const contacts = tx.objectStore('contacts').count();
          tx.oncomplete = () => {
            open.result.close();
            resolve({
              conversations: (conversations.result as string[]).sort(),
              messages: (messages.result as { conversationId: string }[]).map((message) => message.conversationId),
              contacts: contacts.result,
            });
          };
          tx.onerror = () => reject(tx.error ?? new Error('read failed'));
        };
      });
    });
  await expect.poll(async () => (await cached()).conversations).toEqual([leaving, staying].sort());
  expect((await cached()).messages).toContain(leaving);

  // The agent leaves Everyone, as an admin's change of the team would do it.
  await server.store.write(async (trx, changes) => {
    const before = await snapshotScopes(trx, [agent.id]);
    await trx.deleteFrom('team_members').where('team_id', '=', everyone).where('agent_id', '=', agent.id).execute();
    await scopesChanged(trx, changes, before);
  });

  await expect.poll(async () => (await cached()).conversations, { timeout: 5_000 }).toEqual([staying]);
  const after = await cached();
  expect(after.messages).not.toContain(leaving);
  expect(after.messages).toContain(staying);
  expect(after.contacts).toBe(1);
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
  await expect(page.getByTestId('conversation-name')).toHaveText(['Camille Durand']);
});
