import type { Contact, Conversation, Message } from '@parley/protocol';
import { messageRow } from './rows.js';

/** A deterministic support-inbox corpus: short messages from a few hundred common words. */

const WORDS = (
  'hello hi thanks thank you please order orders ordered delivery delivered deliver parcel package ' +
  'tracking number refund refunds return returned exchange size colour color broken damaged missing ' +
  'late today tomorrow yesterday week invoice payment paid card bank transfer address change changed ' +
  'account password login email phone call store shop open opening hours price discount code coupon ' +
  'voucher stock available availability shipping shipped courier arrive arrived arrival when where what ' +
  'why how can could would help problem issue question answer still waiting wait urgent sorry great ' +
  'good bad quality product item items box cancel cancelled cancellation subscription plan upgrade ' +
  'bonjour merci commande livraison colis remboursement retour taille couleur cassé abîmé manquant ' +
  'retard demain hier semaine facture paiement carte adresse compte mot passe téléphone magasin prix ' +
  'réduction disponible expédié arrivé quand où pourquoi comment aide problème question urgent désolé ' +
  'olá obrigado pedido entrega reembolso troca tamanho produto quando onde ajuda'
).split(' ');
const FIRST = 'Oliver Amelia Camille Élodie Mariana João Lucas Sophie Hugo Chloé Noah Emma Liam Léa Mateus Ana'.split(
  ' ',
);
const LAST = 'Bennett Durand Souza Martin Silva Dubois Smith Müller Rossi García Nguyen Kowalski Ferreira'.split(' ');

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export type Corpus = { contacts: Contact[]; conversations: Conversation[]; messages: Message[] };

export function makeCorpus(messageCount: number, conversationCount: number, seed = 42): Corpus {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() ** 1.6 * list.length)] as T;
  const contacts: Contact[] = [];
  const conversations: Conversation[] = [];
  for (let i = 0; i < conversationCount; i += 1) {
    contacts.push({
      id: `k${i}`,
      name: `${pick(FIRST)} ${pick(LAST)}`,
      avatarMediaId: null,
      phone: null,
      identities: [],
      mergedInto: null,
      possibleDuplicates: [],
      note: '',
      createdAt: i,
      seq: i + 1,
    });
    conversations.push({
      id: `c${i}`,
      channel: i % 3 === 0 ? 'messenger' : i % 3 === 1 ? 'instagram' : 'whatsapp',
      channelAccountId: 'acc',
      contactId: `k${i}`,
      status: 'open',
      assigneeId: null,
      teamId: null,
      labels: [],
      lastMessageAt: 0,
      preview: null,
      lastInboundAt: null,
      windowOpenUntil: null,
      humanAgentUntil: null,
      unreadCount: 0,
      waitingSince: null,
      firstResponseAt: null,
      resolvedAt: null,
      assignedAt: null,
      snoozedUntil: null,
      createdAt: i,
      seq: i + 1,
    });
  }
  const messages: Message[] = [];
  for (let i = 0; i < messageCount; i += 1) {
    const length = 4 + Math.floor(next() * 14);
    const words: string[] = [];
    for (let w = 0; w < length; w += 1) words.push(next() < 0.05 ? `#${Math.floor(next() * 100000)}` : pick(WORDS));
    const note = i % 40 === 0;
    messages.push(
      messageRow({
        id: `m${String(i).padStart(7, '0')}`,
        conversationId: `c${Math.floor(next() * conversationCount)}`,
        direction: note ? 'outbound' : i % 2 === 0 ? 'inbound' : 'outbound',
        kind: note ? 'note' : 'text',
        text: words.join(' '),
        createdAt: 1_700_000_000_000 + i * 1000,
        seq: conversationCount + i + 1,
      }),
    );
  }
  return { contacts, conversations, messages };
}

/** Queries as an agent types them: every prefix of at least two characters. */
export const TYPED_QUERIES = [
  'order',
  'refund dam',
  'where is my parcel',
  'commande livr',
  'oliver',
  'élodie dur',
  'tracking num',
  'remboursement',
  'payment card',
  'cancel subs',
  'pedido entr',
  'invoice',
].flatMap((query) => Array.from({ length: query.length - 1 }, (_, i) => query.slice(0, i + 2)));
