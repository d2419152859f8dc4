import { FailureReasonSchema, refusal } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { channelName, failureText, messageErrorText } from '../src/common/i18n/failures.js';

describe('failureText', () => {
  it('words a reason with its params, in English and French', () => {
    const notYours = refusal('forbidden', 'not_assignee', { assigneeName: 'Ana' });
    expect(failureText(notYours, 'en')).toBe('This conversation is Ana’s. Ask them or a supervisor to hand it over.');
    expect(failureText(notYours, 'fr')).toBe(
      'Cette conversation est attribuée à Ana. Demandez-lui ou demandez à un superviseur de vous la confier.',
    );
    expect(failureText(refusal('forbidden', 'not_assignee'), 'en')).toBe(
      'Another agent has this conversation. Ask them or a supervisor to hand it over.',
    );
  });

  it('names the channel and formats the numbers of a text that is too long', () => {
    const tooLong = refusal('too_large', 'text_too_long', { channel: 'messenger', limit: 2000, count: 2345 });
    expect(failureText(tooLong, 'en')).toBe(
      'Messenger takes at most 2,000 characters; this message has 2,345. Shorten it or split it in two.',
    );
    expect(failureText(tooLong, 'fr')).toBe(
      'Messenger accepte au plus 2\u202f000 caractères ; ce message en a 2\u202f345. Raccourcissez-le ou coupez-le en deux.',
    );
    const caption = refusal('too_large', 'text_too_long', {
      channel: 'whatsapp',
      limit: 1024,
      count: 1100,
      caption: true,
    });
    expect(failureText(caption, 'en')).toBe(
      'WhatsApp takes at most 1,024 characters in a caption; this one has 1,100. Shorten it, or send the rest as its own message.',
    );
    expect(failureText(refusal('too_large', 'text_too_many_bytes', { limit: 1000, count: 1004 }), 'en')).toContain(
      'Instagram takes at most 1,000 bytes of text',
    );
  });

  it('says how long ago the customer wrote when the window is closed', () => {
    expect(
      failureText(
        refusal('window_closed', 'window_closed_until_customer_writes', { channel: 'instagram', days: 7 }),
        'en',
      ),
    ).toBe('The customer last wrote more than 7 days ago: Instagram takes no message until they write again.');
    expect(
      failureText(
        refusal('window_closed', 'window_closed_until_customer_writes', { channel: 'messenger', days: 1 }),
        'en',
      ),
    ).toBe('The customer last wrote more than 24 hours ago: Messenger takes no message until they write again.');
    expect(
      failureText(
        refusal('window_closed', 'window_closed_until_customer_writes', { channel: 'instagram', days: 7 }),
        'fr',
      ),
    ).toBe(
      'Le client a écrit pour la dernière fois il y a plus de 7 jours : Instagram n’accepte aucun message tant qu’il n’a pas réécrit.',
    );
    expect(
      failureText(refusal('human_agent_required', 'human_agent_not_approved', { channel: 'messenger' }), 'en'),
    ).toBe(
      'More than 24 hours have passed since the customer last wrote. Messenger only takes replies tagged “human agent” now, and Meta has not approved this account for them.',
    );
  });

  it('words templates, captions, merges and files with their params', () => {
    expect(failureText(refusal('bad_request', 'template_parameter_count', { expected: 2, given: 1 }), 'en')).toBe(
      'This template takes 2 values; the message had 1. Fill in each of them.',
    );
    expect(failureText(refusal('bad_request', 'template_parameter_count', { expected: 1, given: 3 }), 'fr')).toBe(
      'Ce modèle attend 1 valeur ; le message en avait 3. Remplissez exactement celle-ci.',
    );
    expect(
      failureText(refusal('bad_request', 'template_not_sendable', { name: 'order_update', status: 'REJECTED' }), 'en'),
    ).toBe('The template “order_update” is rejected: only templates Meta approved can be sent.');
    expect(
      failureText(refusal('bad_request', 'template_not_sendable', { name: 'promo', status: 'PENDING' }), 'fr'),
    ).toBe(
      'Le modèle « promo » est encore en attente d’approbation par Meta : seuls les modèles approuvés par Meta peuvent être envoyés.',
    );
    expect(
      failureText(refusal('bad_request', 'caption_unsupported', { channel: 'whatsapp', kind: 'audio' }), 'en'),
    ).toBe('WhatsApp shows no caption under audio: send the text as its own message.');
    expect(
      failureText(refusal('bad_request', 'caption_unsupported', { channel: 'instagram', kind: 'image' }), 'fr'),
    ).toBe('Instagram n’affiche pas de légende sous un fichier : envoyez le texte dans un message à part.');
    expect(failureText(refusal('conflict', 'merge_source_merged', { name: 'Bo' }), 'en')).toBe(
      'Bo was already merged into another contact.',
    );
    expect(failureText(refusal('conflict', 'merge_target_merged', { name: 'Bo' }), 'fr')).toBe(
      'Bo a lui-même été fusionné dans un autre contact : fusionnez plutôt dans celui-ci.',
    );
    const tooBig = refusal('media_invalid', 'media_refused', {
      channel: 'whatsapp',
      problem: 'too_large',
      kind: 'image',
      limit: 5_000_000,
      size: 7_200_000,
    });
    expect(failureText(tooBig, 'en')).toBe('WhatsApp takes images up to 5 MB; this one is 7.2 MB.');
    expect(failureText(tooBig, 'fr')).toBe(
      'WhatsApp accepte les images jusqu’à 5\u202fMo ; celui-ci fait 7,2\u202fMo.',
    );
    expect(
      failureText(refusal('media_invalid', 'media_refused', { channel: 'messenger', problem: 'new_problem' }), 'en'),
    ).toBe('This file cannot be sent to Messenger.');
  });

  it('words protocol mismatches, malformed requests and server errors by what they concern', () => {
    expect(failureText(refusal('protocol_mismatch', undefined, { client: 3, server: 4 }), 'en')).toBe(
      'This app is older than the Parley server (protocol 3, server 4). Update the app to keep working.',
    );
    expect(failureText(refusal('protocol_mismatch', undefined, { client: 5, server: 4 }), 'fr')).toContain(
      'Cette application est plus récente que le serveur Parley (protocole 5, serveur 4).',
    );
    expect(failureText(refusal('bad_request', 'malformed', { request: 'pull', path: 'cursor' }), 'en')).toBe(
      'The server could not read what the app sent (sync). If this happens again, tell an admin: it is a bug in Parley.',
    );
    expect(failureText(refusal('internal', 'server_error', { request: 'history' }), 'fr')).toBe(
      'Le serveur n’a pas pu lire les messages plus anciens. Réessayez.',
    );
    expect(failureText(refusal('internal', 'server_error', { request: 'something' }), 'en')).toBe(
      'The server could not do this. Try again in a moment.',
    );
  });

  it('words every reason the protocol knows, in every language, without leftovers', () => {
    for (const reason of FailureReasonSchema.options) {
      for (const lang of ['en', 'fr'] as const) {
        const words = failureText(refusal('bad_request', reason), lang);
        expect(words, `${reason} in ${lang}`).not.toMatch(/\{\{|failure\.|undefined|null/);
        expect(words.length, `${reason} in ${lang}`).toBeGreaterThan(10);
      }
    }
  });

  it('falls back to the code when the reason is missing, unknown or lacks its params', () => {
    expect(failureText({ code: 'not_found' }, 'en')).toBe('This no longer exists.');
    expect(failureText({ code: 'forbidden', reason: 'from_a_newer_server' }, 'fr')).toBe(
      'Vous n’êtes pas autorisé à faire cela.',
    );
    expect(failureText(refusal('too_large', 'text_too_long', { channel: 'whatsapp' }), 'en')).toBe(
      'This is too large to send.',
    );
    // The code fits, so the old server's words are not used.
    expect(failureText({ code: 'window_closed', message: 'Old words' }, 'en')).toBe(
      'The messaging window is closed: the customer has to write again first.',
    );
  });

  it('uses the old server words only when nothing else fits', () => {
    expect(failureText({ code: 'not_configured', message: 'Webhooks are not configured.' }, 'en')).toBe(
      'Webhooks are not configured.',
    );
    expect(failureText({ code: 'not_configured' }, 'en')).toBe('Something went wrong. Try again.');
  });
});

describe('messageErrorText', () => {
  it('ports the WhatsApp and Messenger tables of refusals', () => {
    expect(
      messageErrorText(
        { code: '131026', reason: 'platform_refused', params: { channel: 'whatsapp' }, message: '' },
        'en',
      ),
    ).toBe(
      'WhatsApp could not deliver this message: the number may not use WhatsApp, or the customer has not accepted its latest terms.',
    );
    expect(
      messageErrorText(
        { code: '131048', reason: 'platform_refused', params: { channel: 'whatsapp' }, message: '' },
        'fr',
      ),
    ).toBe('WhatsApp a limité ce numéro pour spam (qualité des messages trop basse). Prévenez un administrateur.');
    expect(
      messageErrorText(
        { code: '551', reason: 'platform_refused', params: { channel: 'instagram' }, message: '' },
        'en',
      ),
    ).toBe('This person isn’t available right now: they may have blocked the account or turned off messages.');
    expect(messageErrorText({ code: '230', reason: 'platform_refused', params: { channel: 'messenger' } }, 'fr')).toBe(
      'Les réglages du client n’autorisent pas ce message.',
    );
    // The same code means different things on WhatsApp and Messenger.
    expect(
      messageErrorText({ code: '368', reason: 'platform_refused', params: { channel: 'whatsapp' } }, 'en'),
    ).toContain('temporarily blocked this number');
    expect(
      messageErrorText({ code: '368', reason: 'platform_refused', params: { channel: 'messenger' } }, 'en'),
    ).toContain('blocked this action as abusive');
  });

  it('words refusals outside the tables with the code and Meta’s details', () => {
    expect(
      messageErrorText(
        { code: '131999', reason: 'platform_refused', params: { channel: 'whatsapp', details: 'Odd.' } },
        'en',
      ),
    ).toBe('WhatsApp refused the message (error 131999): Odd.');
    expect(messageErrorText({ code: '4242', reason: 'platform_refused', params: { channel: 'messenger' } }, 'fr')).toBe(
      'Messenger a refusé le message (erreur 4242).',
    );
    expect(
      messageErrorText({ code: 'http_503', reason: 'platform_refused', params: { channel: 'instagram' } }, 'en'),
    ).toBe('Instagram answered with an error (HTTP 503), so the message was not sent.');
    expect(messageErrorText({ code: '250', reason: 'platform_refused', params: { channel: 'messenger' } }, 'en')).toBe(
      'Parley’s access token lacks a permission this account needs. Tell an admin.',
    );
  });

  it('words malformed, permission, exhausted and unknown deliveries', () => {
    expect(
      messageErrorText(
        { code: '100', reason: 'malformed_by_platform', params: { channel: 'whatsapp', details: 'bad to' } },
        'en',
      ),
    ).toBe('WhatsApp refused the message as malformed (bad to). Tell an admin: this is a bug in Parley.');
    expect(messageErrorText({ code: '200', reason: 'permission_missing', params: {} }, 'fr')).toBe(
      'Il manque au jeton d’accès de Parley une autorisation dont ce compte a besoin. Prévenez un administrateur.',
    );
    expect(
      messageErrorText(
        { code: '131000', reason: 'attempts_exhausted', params: { channel: 'whatsapp', attempts: 5 } },
        'en',
      ),
    ).toBe('WhatsApp did not take the message after 5 tries. Send it again later.');
    expect(
      messageErrorText(
        { code: '2', reason: 'attempts_exhausted', params: { channel: 'messenger', attempts: 2 } },
        'fr',
      ),
    ).toBe('Messenger n’a pas accepté le message après 2 essais. Renvoyez-le plus tard.');
    expect(
      messageErrorText(
        {
          code: 'unknown_delivery',
          reason: 'unknown_delivery',
          params: { channel: 'whatsapp', cause: 'server_stopped' },
        },
        'en',
      ),
    ).toBe(
      'Parley cannot tell whether WhatsApp delivered this message (the server stopped while sending it). It may or may not have reached the customer: check before sending it again.',
    );
    expect(
      messageErrorText(
        { code: 'unknown_delivery', reason: 'unknown_delivery', params: { channel: 'instagram', cause: 'timeout' } },
        'fr',
      ),
    ).toBe(
      'Parley ne peut pas savoir si Instagram a distribué ce message (la plateforme n’a pas répondu à temps). Il a pu parvenir au client ou non : vérifiez avant de le renvoyer.',
    );
  });

  it('keeps the words of errors stored before reasons, and says something when there are none', () => {
    expect(messageErrorText({ code: '131047', message: 'Stored words.' }, 'fr')).toBe('Stored words.');
    expect(messageErrorText({ code: '131047', message: '' }, 'en')).toBe('The message could not be sent.');
    expect(
      messageErrorText({ code: '131026', reason: 'from_a_newer_server', params: { channel: 'whatsapp' } }, 'en'),
    ).toContain('WhatsApp could not deliver this message');
  });
});

describe('channelName', () => {
  it('comes from the dictionary, and says Meta when the channel is not known', () => {
    expect(channelName('whatsapp', 'fr')).toBe('WhatsApp');
    expect(channelName(null, 'en')).toBe('Meta');
  });
});
