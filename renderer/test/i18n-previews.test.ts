import type { MessagePreview } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { cutPreview, previewText } from '../src/common/i18n/previews.js';

function preview(fields: Partial<MessagePreview> & Pick<MessagePreview, 'kind'>): MessagePreview {
  return { direction: 'inbound', text: null, name: null, voice: false, count: 0, ...fields };
}

describe('previewText', () => {
  // What server/src/store/inbound.ts previewOf wrote for the same messages.
  it('reads in English as the server wrote it', () => {
    expect(previewText(preview({ kind: 'text', text: 'Hello there' }), 'en')).toBe('Hello there');
    expect(previewText(preview({ kind: 'image', count: 1 }), 'en')).toBe('📷 Photo');
    expect(previewText(preview({ kind: 'image', text: 'Look', count: 1 }), 'en')).toBe('📷 Look');
    expect(previewText(preview({ kind: 'video', count: 1 }), 'en')).toBe('🎥 Video');
    expect(previewText(preview({ kind: 'audio', voice: true, count: 1 }), 'en')).toBe('🎤 Voice message');
    expect(previewText(preview({ kind: 'audio', count: 1 }), 'en')).toBe('🎵 Audio');
    expect(previewText(preview({ kind: 'document', name: 'invoice.pdf', count: 1 }), 'en')).toBe('📄 invoice.pdf');
    expect(previewText(preview({ kind: 'document', text: 'Signed', name: 'invoice.pdf', count: 1 }), 'en')).toBe(
      '📄 Signed',
    );
    expect(previewText(preview({ kind: 'document', count: 1 }), 'en')).toBe('📄 Document');
    expect(previewText(preview({ kind: 'sticker', count: 1 }), 'en')).toBe('💟 Sticker');
    expect(previewText(preview({ kind: 'location', name: 'Gare du Nord' }), 'en')).toBe('📍 Gare du Nord');
    expect(previewText(preview({ kind: 'location' }), 'en')).toBe('📍 Location');
    expect(previewText(preview({ kind: 'contacts', name: 'Ana Lima', count: 2 }), 'en')).toBe('👤 Ana Lima');
    expect(previewText(preview({ kind: 'contacts', name: '', count: 1 }), 'en')).toBe('👤 Contact');
    expect(previewText(preview({ kind: 'order' }), 'en')).toBe('🛒 Order');
    expect(previewText(preview({ kind: 'story_mention' }), 'en')).toBe('📸 Mentioned you in their story');
    expect(previewText(preview({ kind: 'share' }), 'en')).toBe('🔗 Shared a post');
    expect(previewText(preview({ kind: 'share', text: 'Is this in stock?' }), 'en')).toBe('🔗 Is this in stock?');
    expect(previewText(preview({ kind: 'template', direction: 'outbound' }), 'en')).toBe('📋 Template');
    expect(previewText(preview({ kind: 'template', text: 'Your order shipped' }), 'en')).toBe('Your order shipped');
    expect(previewText(preview({ kind: 'unsupported' }), 'en')).toBe('Unsupported message');
    expect(previewText(preview({ kind: 'interactive', text: 'Track my order' }), 'en')).toBe('Track my order');
    // The server wrote "[note]", which the inbox showed as the kind's name.
    expect(previewText(preview({ kind: 'note' }), 'en')).toBe('Internal note');
    expect(previewText(preview({ kind: 'text', text: '   ' }), 'en')).toBe('Message');
  });

  it('reads in French', () => {
    expect(previewText(preview({ kind: 'image', count: 1 }), 'fr')).toBe('📷 Photo');
    expect(previewText(preview({ kind: 'video', count: 1 }), 'fr')).toBe('🎥 Vidéo');
    expect(previewText(preview({ kind: 'audio', voice: true, count: 1 }), 'fr')).toBe('🎤 Message vocal');
    expect(previewText(preview({ kind: 'document', count: 1 }), 'fr')).toBe('📄 Document');
    expect(previewText(preview({ kind: 'sticker', count: 1 }), 'fr')).toBe('💟 Autocollant');
    expect(previewText(preview({ kind: 'location' }), 'fr')).toBe('📍 Position');
    expect(previewText(preview({ kind: 'contacts', name: null }), 'fr')).toBe('👤 Contact');
    expect(previewText(preview({ kind: 'order' }), 'fr')).toBe('🛒 Commande');
    expect(previewText(preview({ kind: 'story_mention' }), 'fr')).toBe('📸 Vous a mentionné dans sa story');
    expect(previewText(preview({ kind: 'share' }), 'fr')).toBe('🔗 A partagé une publication');
    expect(previewText(preview({ kind: 'template' }), 'fr')).toBe('📋 Modèle');
    expect(previewText(preview({ kind: 'unsupported' }), 'fr')).toBe('Message non pris en charge');
    expect(previewText(preview({ kind: 'system' }), 'fr')).toBe('Avis');
    // The customer's own words are never translated.
    expect(previewText(preview({ kind: 'text', text: 'Hello there' }), 'fr')).toBe('Hello there');
    expect(previewText(preview({ kind: 'image', text: 'Look', count: 1 }), 'fr')).toBe('📷 Look');
  });

  it('cuts a long caption with its icon to the same 140 characters as the server', () => {
    const long = 'word '.repeat(60);
    const cutByServer = cutPreview(long);
    const line = previewText(preview({ kind: 'image', text: cutByServer, count: 1 }), 'en');
    expect(line).toBe(cutPreview(`📷 ${long}`));
    expect(line.length).toBe(140);
    expect(line.endsWith('…')).toBe(true);
    expect(previewText(preview({ kind: 'text', text: cutByServer }), 'en')).toBe(cutByServer);
  });

  it('says a deleted last message was deleted, when the server marks it', () => {
    expect(previewText({ ...preview({ kind: 'text', text: 'gone' }), deleted: true }, 'en')).toBe('🚫 Message deleted');
    expect(previewText({ ...preview({ kind: 'text', text: 'gone' }), deleted: true }, 'fr')).toBe(
      '🚫 Message supprimé',
    );
  });
});
