import { describe, expect, it } from 'vitest';
import {
  lastMessageText,
  groupReactions,
  linkify,
  mapUrl,
  messagePreview,
  ownReaction,
  statusTick,
} from '../../src/domain/messageView.js';
import { message } from '../fixtures.js';

const attachment = {
  mediaId: 'md1',
  kind: 'image',
  mimeType: 'image/jpeg',
  fileName: null,
  size: 100,
  status: 'ready',
  hasThumbnail: true,
  voice: false,
  animated: false,
} as const;

describe('statusTick', () => {
  it('maps an outgoing message’s status to its tick, and gives customers’ messages none', () => {
    for (const status of ['pending', 'sent', 'delivered', 'read', 'failed'] as const) {
      expect(statusTick({ direction: 'outbound', status })).toBe(status);
    }
    expect(statusTick({ direction: 'outbound', status: 'received' })).toBe('none');
    expect(statusTick({ direction: 'inbound', status: 'read' })).toBe('none');
  });

  it('says a pending reply is queued while offline and sending while online', () => {
    expect(statusTick({ direction: 'outbound', status: 'pending' }, false)).toBe('queued');
    expect(statusTick({ direction: 'outbound', status: 'pending' }, true)).toBe('pending');
    expect(statusTick({ direction: 'outbound', status: 'sent' }, false)).toBe('sent');
  });
});

describe('messagePreview', () => {
  it('says what each kind of message is', () => {
    expect(messagePreview(message({ text: 'Hello  there\n!' }), 'en')).toBe('Hello there !');
    expect(messagePreview(message({ kind: 'image', attachments: [attachment] }), 'en')).toBe('📷 Photo');
    expect(messagePreview(message({ kind: 'image', text: 'this one', attachments: [attachment] }), 'en')).toBe(
      '📷 Photo · this one',
    );
    expect(
      messagePreview(message({ kind: 'audio', attachments: [{ ...attachment, kind: 'audio', voice: true }] }), 'fr'),
    ).toBe('🎤 Message vocal');
    expect(
      messagePreview(
        message({ kind: 'document', attachments: [{ ...attachment, kind: 'document', fileName: 'invoice.pdf' }] }),
        'en',
      ),
    ).toBe('📄 invoice.pdf');
    expect(
      messagePreview(
        message({
          kind: 'location',
          location: { latitude: 1, longitude: 2, name: 'Acme Lisbon', address: null, url: null },
        }),
        'en',
      ),
    ).toBe('📍 Acme Lisbon');
    expect(
      messagePreview(
        message({
          kind: 'contacts',
          sharedContacts: [{ name: 'João', phones: [], emails: [], organization: null }],
        }),
        'en',
      ),
    ).toBe('👤 João');
    expect(
      messagePreview(
        message({
          kind: 'interactive',
          interactive: { type: 'button_reply', id: 'm', title: 'Medium', description: null },
        }),
        'en',
      ),
    ).toBe('Medium');
    expect(
      messagePreview(
        message({ kind: 'template', template: { name: 'order_update', language: 'en', parameters: [] } }),
        'en',
      ),
    ).toBe('order_update');
    expect(messagePreview(message({ kind: 'story_mention' }), 'en')).toBe('Mentioned you in their story');
    expect(messagePreview(message({ kind: 'unsupported', text: 'raw' }), 'en')).toBe('Unsupported message');
  });

  it('says a deleted message was deleted, whatever it was', () => {
    expect(messagePreview(message({ text: 'secret', deletedAt: 5 }), 'en')).toBe('This message was deleted');
    expect(messagePreview(message({ text: 'secret', deletedAt: 5 }), 'fr')).toBe('Ce message a été supprimé');
  });

  it("words a conversation's last message from its preview data", () => {
    const preview = { kind: 'image', direction: 'inbound', text: null, name: null, voice: false, count: 1 } as const;
    expect(lastMessageText({ preview }, 'en')).toBe('📷 Photo');
    expect(lastMessageText({ preview }, 'fr')).toMatch(/^📷 /);
    expect(lastMessageText({ preview: { ...preview, kind: 'text', text: 'Hello' } }, 'fr')).toBe('Hello');
    expect(lastMessageText({ preview: null }, 'en')).toBe('');
  });
});

describe('links and reactions', () => {
  it('links to the place on a map', () => {
    expect(mapUrl({ latitude: 38.7223, longitude: -9.1393 })).toBe(
      'https://www.openstreetmap.org/?mlat=38.722300&mlon=-9.139300#map=17/38.722300/-9.139300',
    );
  });

  it('turns only http(s) addresses into links, leaving the sentence’s punctuation out', () => {
    expect(linkify('See https://acme.example/sizes. Or javascript:alert(1)')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://acme.example/sizes', href: 'https://acme.example/sizes' },
      { kind: 'text', text: '. Or javascript:alert(1)' },
    ]);
    expect(linkify('no links')).toEqual([{ kind: 'text', text: 'no links' }]);
  });

  it('groups reactions and finds the business’s own', () => {
    const reactions = [
      { emoji: '❤️', from: 'customer', agentId: null, at: 2 },
      { emoji: '👍', from: 'agent', agentId: 'ag1', at: 1 },
      { emoji: '❤️', from: 'agent', agentId: 'ag2', at: 3 },
    ] as const;
    expect(groupReactions([...reactions])).toEqual([
      { emoji: '👍', count: 1, mine: true },
      { emoji: '❤️', count: 2, mine: true },
    ]);
    expect(ownReaction([...reactions])).toBe('❤️');
    expect(ownReaction([reactions[0]])).toBeNull();
  });
});
