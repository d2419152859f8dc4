import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LiveBatch } from '@parley/protocol';
import { EVENT_TIMEOUT_MS, connectReady, deliver, pullChanges, whatsappText } from './helpers.js';
import { getMedia, makePng, upload } from './media-fixtures.js';
import {
  T0,
  contactOf,
  conversationsOfMessages,
  idsOf,
  mutate,
  pull,
  pullAll,
  server,
  sorted,
  world,
  type Person,
} from './visibility-world.js';

/** Who sees what (see visibility-world.ts): pulls, live batches, history, media and mutations. */

describe('pull', () => {
  it('sends each role only its conversations, their messages and contacts, and everyone the rest', async () => {
    const { ana, ben, sue, ada, cA, cB, cBana } = world;
    const expected: [Person, string[]][] = [
      [ana, [cA, cBana]],
      [ben, [cB, cBana]],
      [sue, [cA, cBana]],
      [ada, [cA, cB, cBana]],
    ];
    const teams = (await server.store.db.selectFrom('teams').select('id').execute()).map((row) => row.id).sort();
    const agents = (await server.store.db.selectFrom('agents').select('id').execute()).map((row) => row.id).sort();
    for (const [who, conversations] of expected) {
      const { socket } = await connectReady(server, who.token);
      // Small pages: filtering must not break the paging, and the cursor still reaches the
      // head (read after: connecting makes the user Online, a change of its own).
      const { changes, cursor } = await pullAll(socket, 0, 2);
      expect(cursor).toBe(await server.store.head());
      expect(idsOf(changes, 'conversation')).toEqual(sorted(conversations));
      expect(conversationsOfMessages(changes)).toEqual(sorted(conversations));
      expect(idsOf(changes, 'contact')).toEqual(sorted(await Promise.all(conversations.map(contactOf))));
      expect(idsOf(changes, 'team')).toEqual(teams);
      expect(idsOf(changes, 'agent')).toEqual(agents);
      expect(idsOf(changes, 'channelAccount')).toHaveLength(3);
      socket.disconnect();
    }
  });

  it('moves the cursor to the head even when every change after it is out of sight', async () => {
    const { socket } = await connectReady(server, world.ana.token);
    const start = await server.store.head();
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '15550000002', name: 'Bob', id: 'wamid.VB2', text: 'again', timestampSeconds: T0 + 5 }),
    );
    const page = await pull(socket, start, 1);
    expect(page.changes).toEqual([]);
    expect(page.hasMore).toBe(false);
    expect(page.cursor).toBe(await server.store.head());
    expect(page.cursor).toBeGreaterThan(start);
  });

  it('keeps the bootstrap bounds and the rule together', async () => {
    const { socket } = await connectReady(server, world.ben.token);
    const reply = await pullChanges(socket, {
      cursor: 0,
      limit: 500,
      bootstrap: { messagesPerConversation: 1, closedDays: 30 },
    });
    if (!reply.ok) throw new Error('refused');
    expect(idsOf(reply.changes, 'conversation')).toEqual(sorted([world.cB, world.cBana]));
    expect(conversationsOfMessages(reply.changes)).toEqual(sorted([world.cB, world.cBana]));
  });
});

describe('live batches', () => {
  it('reach the user who sees the conversation; the other gets an empty batch and both cursors move', async () => {
    const ana = await connectReady(server, world.ana.token);
    const ben = await connectReady(server, world.ben.token);
    await deliver(
      server,
      'whatsapp',
      whatsappText({ from: '15550000002', name: 'Bob', id: 'wamid.VB3', text: 'for B', timestampSeconds: T0 + 9 }),
    );
    const head = await server.store.head();
    const reached = (batch: LiveBatch): boolean => batch.upTo === head;
    const [forBen, forAna] = await Promise.all([
      ben.batches.waitFor(reached, 'the webhook'),
      ana.batches.waitFor(reached, 'the webhook'),
    ]);
    expect(forBen.changes.some((change) => change.entity === 'message' && change.data.text === 'for B')).toBe(true);
    expect(idsOf(forBen.changes, 'conversation')).toEqual([world.cB]);
    expect(forAna.changes).toEqual([]);
    expect(forAna.after).toBe(forBen.after);
    expect(forAna.upTo).toBe(forBen.upTo);
  });

  it('carry a contact only to those who see one of its conversations', async () => {
    const ana = await connectReady(server, world.ana.token);
    const ada = await connectReady(server, world.ada.token);
    const contact = await contactOf(world.cB);
    await server.store.write(async (trx, changes) => {
      await trx
        .updateTable('contacts')
        .set({ name: 'Robert', seq: await changes.nextSeq('contact', contact) })
        .where('id', '=', contact)
        .execute();
    });
    const head = await server.store.head();
    const forAda = await ada.batches.waitFor((batch) => batch.upTo === head, 'the rename');
    const forAna = await ana.batches.waitFor((batch) => batch.upTo === head, 'the rename');
    expect(idsOf(forAda.changes, 'contact')).toEqual([contact]);
    expect(forAna.changes).toEqual([]);
  });
});

describe('history, media and mutations', () => {
  it('answers history only for a conversation the user sees', async () => {
    const { socket } = await connectReady(server, world.ana.token);
    const ask = async (conversationId: string): Promise<unknown> =>
      socket
        .timeout(EVENT_TIMEOUT_MS)
        .emitWithAck('history:fetch', { conversationId, before: Date.now() * 2, limit: 10 });
    expect(await ask(world.cB)).toMatchObject({ ok: false, code: 'not_found', reason: 'conversation_missing' });
    const seen = (await ask(world.cA)) as { ok: boolean; messages: unknown[] };
    expect(seen.ok).toBe(true);
    expect(seen.messages).toHaveLength(1);
  });

  it('serves a file to its uploader and to those who see its message, and to nobody else', async () => {
    const bytes = await makePng(20, 20);
    const posted = await upload(server, world.ana.token, {
      bytes,
      fileName: 'card.png',
      mimeType: 'image/png',
      fields: { conversationId: world.cA },
    });
    expect(posted.status).toBe(201);
    const { mediaId } = (await posted.json()) as { mediaId: string };
    // Not yet in any message: only Ana, who uploaded it.
    expect((await getMedia(server, mediaId, { token: world.ana.token })).status).toBe(200);
    expect((await getMedia(server, mediaId, { token: world.sue.token })).status).toBe(404);
    // In a message of cA: Sue (team A) and Ada see it; Ben still does not.
    const attachment = {
      mediaId,
      kind: 'image',
      mimeType: 'image/png',
      fileName: 'card.png',
      size: bytes.length,
      status: 'ready',
      hasThumbnail: true,
      voice: false,
      animated: false,
    };
    await server.store.db
      .updateTable('messages')
      .set({ attachments: JSON.stringify([attachment]) })
      .where('conversation_id', '=', world.cA)
      .execute();
    expect((await getMedia(server, mediaId, { token: world.sue.token })).status).toBe(200);
    expect((await getMedia(server, mediaId, { token: world.ada.token })).status).toBe(200);
    const refused = await getMedia(server, mediaId, { token: world.ben.token });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ code: 'not_found', reason: 'media_missing' });
    expect((await getMedia(server, mediaId, { token: world.ben.token, thumbnail: true })).status).toBe(404);
    // Nor may Ben put a file into a conversation he does not see.
    const intoCA = await upload(server, world.ben.token, {
      bytes,
      fileName: 'x.png',
      mimeType: 'image/png',
      fields: { conversationId: world.cA },
    });
    expect(intoCA.status).toBe(404);
    expect(await intoCA.json()).toMatchObject({ code: 'not_found', reason: 'conversation_missing' });
  });

  it('serves a contact picture to those who see the contact', async () => {
    const bytes = await makePng(20, 20);
    const posted = await upload(server, world.ada.token, {
      bytes,
      fileName: 'face.png',
      mimeType: 'image/png',
      fields: { channel: 'whatsapp' },
    });
    const { mediaId } = (await posted.json()) as { mediaId: string };
    await server.store.db
      .updateTable('contacts')
      .set({ avatar_media_id: mediaId })
      .where('id', '=', await contactOf(world.cB))
      .execute();
    expect((await getMedia(server, mediaId, { token: world.ben.token })).status).toBe(200);
    expect((await getMedia(server, mediaId, { token: world.ana.token })).status).toBe(404);
  });

  it('refuses a mutation on an invisible conversation as not found, and one on a visible but not own as forbidden', async () => {
    const { socket } = await connectReady(server, world.ben.token);
    const before = await server.store.head();
    const note = await mutate(socket, {
      type: 'message.note',
      clientId: randomUUID(),
      conversationId: world.cA,
      text: 'peek',
      mentions: [],
    });
    expect(note).toMatchObject({ ok: false, code: 'not_found', reason: 'conversation_missing' });
    const read = await mutate(socket, {
      type: 'conversation.markRead',
      clientId: randomUUID(),
      conversationId: world.cBana,
    });
    expect(read).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await server.store.head()).toBe(before);
    // A note where he sees it is his to add.
    const seen = await mutate(socket, {
      type: 'message.note',
      clientId: randomUUID(),
      conversationId: world.cBana,
      text: 'fyi',
      mentions: [],
    });
    expect(seen.ok).toBe(true);
  });
});
