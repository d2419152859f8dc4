import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTeam, detectLanguage, matchTeam, matchesKeyword } from '../src/modules/teams/index.js';
import { startTestServer, type TestServer } from './helpers.js';
import { conversationRow, customerWrites } from './team-support.js';

describe('keyword and language rules', () => {
  it('matches a keyword as a whole word, whatever the case', () => {
    expect(matchesKeyword('I want a REFUND please', 'refund')).toBe(true);
    expect(matchesKeyword('refund!', 'Refund')).toBe(true);
    expect(matchesKeyword('already refunded', 'refund')).toBe(false);
    expect(matchesKeyword('prerefund', 'refund')).toBe(false);
    expect(matchesKeyword('ça coûte combien, le remboursement ?', 'remboursement')).toBe(true);
    expect(matchesKeyword('a gift card (c++) question', 'c++')).toBe(true);
    expect(matchesKeyword('gift card', 'gift card')).toBe(true);
  });

  it('detects the language of a sentence, and says nothing of a word or two', () => {
    expect(detectLanguage('Hola, quiero comprar unas zapatillas', ['es'])).toBe('es');
    expect(detectLanguage('Bonjour, je voudrais savoir où est ma commande', ['fr'])).toBe('fr');
    expect(detectLanguage('Olá, gostaria de saber do meu pedido', ['pt'])).toBe('pt');
    expect(detectLanguage('Hi, where is my order please?', ['es'])).toBe('en');
    expect(detectLanguage('ok', ['es'])).toBeNull();
  });

  it('tries keywords before languages, teams in order', () => {
    const teams = [
      { id: 'spanish', rules: [{ kind: 'language' as const, language: 'es' }] },
      { id: 'billing', rules: [{ kind: 'keyword' as const, keyword: 'factura' }] },
    ];
    expect(matchTeam('Hola, necesito una copia de mi factura por favor', teams)).toBe('billing');
    expect(matchTeam('Hola, quiero comprar unas zapatillas', teams)).toBe('spanish');
    expect(matchTeam('Hello, I would like to buy some shoes', teams)).toBeNull();
  });
});

describe('routing a new conversation', () => {
  let server: TestServer;
  let billing: string;
  let spanish: string;
  let inboxTeam: string;

  beforeEach(async () => {
    server = await startTestServer();
    const made = await Promise.all([
      createTeam(server.store, { name: 'Billing', rules: [{ kind: 'keyword', keyword: 'refund' }] }),
      createTeam(server.store, { name: 'Español', rules: [{ kind: 'language', language: 'es' }] }),
    ]);
    const [first, second] = made;
    if (first === undefined || second === undefined || 'ok' in first || 'ok' in second) throw new Error('no teams');
    billing = first.id;
    spanish = second.id;
    const inbox = await server.store.db
      .selectFrom('team_inboxes')
      .innerJoin('channel_accounts', 'channel_accounts.id', 'team_inboxes.channel_account_id')
      .select('team_inboxes.team_id')
      .where('channel_accounts.channel', '=', 'whatsapp')
      .executeTakeFirstOrThrow();
    inboxTeam = inbox.team_id;
  });

  afterEach(async () => {
    await server.cleanup();
  });

  it('goes to the team whose keyword its first message has', async () => {
    const conversation = await customerWrites(server, '447700900301', 'Hi, I need a Refund for order 42');
    expect((await conversationRow(server, conversation)).team_id).toBe(billing);
  });

  it('goes to the team of its language', async () => {
    const conversation = await customerWrites(server, '447700900302', 'Hola, quiero comprar unas zapatillas');
    expect((await conversationRow(server, conversation)).team_id).toBe(spanish);
  });

  it('else to the team of its inbox; later messages do not move it', async () => {
    const conversation = await customerWrites(server, '447700900303', 'Hello, where is my parcel?');
    expect((await conversationRow(server, conversation)).team_id).toBe(inboxTeam);
    await customerWrites(server, '447700900303', 'actually I want a refund');
    expect((await conversationRow(server, conversation)).team_id).toBe(inboxTeam);
  });
});
