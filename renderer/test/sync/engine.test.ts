import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ParleyDb } from '../../src/data/db.js';
import { SyncEngine } from '../../src/sync/engine.js';
import { failureText } from '../../src/common/i18n/failures.js';

function engine(): SyncEngine {
  return new SyncEngine({
    db: new ParleyDb('engine-test'),
    serverUrl: 'http://127.0.0.1:9',
    token: null,
    clientName: 'parley-test/0',
  });
}

describe('SyncEngine.mutate', () => {
  it('answers offline at once, in codes worded as offline, instead of queueing or throwing', async () => {
    const result = await engine().mutate({
      type: 'conversation.markRead',
      clientId: 'abcdefgh12345678',
      conversationId: 'c1',
    });
    expect(result).toMatchObject({ ok: false, code: 'internal' });
    expect(result).toMatchObject({ code: 'internal', reason: 'offline' });
    expect(result.ok ? '' : failureText(result, 'en')).toMatch(/offline/i);
  });

  it('refuses a malformed mutation before it reaches the network', async () => {
    const result = await engine().mutate({
      type: 'message.send',
      clientId: 'short',
      conversationId: 'c1',
      content: { kind: 'text', text: 'hi' },
      replyToMessageId: null,
      humanAgentTag: false,
    });
    expect(result).toMatchObject({ ok: false, code: 'bad_request' });
  });

  it('drops typing indicators while offline', () => {
    expect(() => engine().typing('c1')).not.toThrow();
  });
});
