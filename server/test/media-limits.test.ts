import { describe, expect, test } from 'vitest';
import { checkMediaForChannel } from '../src/modules/media/limits.js';
import { parseRange } from '../src/transport/http/media.js';
import { resolveMimeType, sniffMimeType } from '../src/modules/media/sniff.js';
import { sha256Matches } from '../src/modules/media/fetcher.js';
import { fakeFile, SIGNATURES, sha256Hex } from './media-fixtures.js';

/** The pure rules under the media endpoints: platform limits, type sniffing, byte ranges. */

const MB = 1024 * 1024;
const KB = 1024;

describe('checkMediaForChannel', () => {
  const tooLarge = (channel: string, kind: string, maxBytes: number, size: number): object => ({
    reason: 'media_too_large',
    params: { channel, kind, maxBytes, size, animated: false },
  });
  const format = (channel: string, kind: string, mimeType: string, formats: string): object => ({
    reason: 'media_format_unsupported',
    params: { channel, kind, mimeType, formats },
  });
  test.each([
    ['whatsapp', 'image', 'image/jpeg', 5 * MB, null],
    ['whatsapp', 'image', 'image/jpg', 1 * MB, null],
    ['whatsapp', 'image', 'image/png', 5 * MB + 1, tooLarge('whatsapp', 'image', 5 * MB, 5 * MB + 1)],
    ['whatsapp', 'image', 'image/gif', 1 * MB, format('whatsapp', 'image', 'image/gif', 'JPEG, PNG')],
    ['whatsapp', 'video', 'video/mp4', 16 * MB, null],
    ['whatsapp', 'video', 'video/3gpp', 17 * MB, tooLarge('whatsapp', 'video', 16 * MB, 17 * MB)],
    ['whatsapp', 'audio', 'audio/ogg; codecs=opus', 1 * MB, null],
    [
      'whatsapp',
      'audio',
      'audio/ogg; codecs=vorbis',
      1 * MB,
      { reason: 'media_codec_unsupported', params: { channel: 'whatsapp', codecs: 'vorbis' } },
    ],
    ['whatsapp', 'audio', 'audio/x-m4a', 2 * MB, null],
    [
      'whatsapp',
      'audio',
      'audio/wav',
      2 * MB,
      format('whatsapp', 'audio', 'audio/wav', 'AAC, AMR, MP3, M4A, Ogg (Opus)'),
    ],
    ['whatsapp', 'document', 'application/pdf', 100 * MB, null],
    ['whatsapp', 'file', 'application/pdf', 100 * MB + 1, tooLarge('whatsapp', 'document', 100 * MB, 100 * MB + 1)],
    [
      'whatsapp',
      'document',
      'application/zip',
      KB,
      format('whatsapp', 'document', 'application/zip', 'TXT, PDF, DOC, DOCX, XLS, XLSX, PPT, PPTX'),
    ],
    ['instagram', 'image', 'image/png', 8 * MB, null],
    ['instagram', 'video', 'video/quicktime', 25 * MB, null],
    ['instagram', 'audio', 'audio/wav', 26 * MB, tooLarge('instagram', 'audio', 25 * MB, 26 * MB)],
    ['instagram', 'document', 'application/pdf', 25 * MB + 1, tooLarge('instagram', 'document', 25 * MB, 25 * MB + 1)],
    ['messenger', 'image', 'image/gif', 8 * MB, null],
    ['messenger', 'video', 'video/webm', 25 * MB + 1, tooLarge('messenger', 'video', 25 * MB, 25 * MB + 1)],
    ['messenger', 'file', 'application/zip', 25 * MB, null],
    [
      'messenger',
      'sticker',
      'image/webp',
      KB,
      { reason: 'media_kind_unsupported', params: { channel: 'messenger', kind: 'sticker' } },
    ],
    [
      'messenger',
      'audio',
      'image/png',
      KB,
      { reason: 'media_kind_mismatch', params: { mimeType: 'image/png', kind: 'audio' } },
    ],
  ] as const)('%s %s %s of %d bytes', (channel, kind, mimeType, size, expected) => {
    expect(checkMediaForChannel(channel, { kind, mimeType, size })).toEqual(expected);
  });

  test('animated WhatsApp stickers may be 500 KB, static ones 100 KB', () => {
    const sticker = { kind: 'sticker', mimeType: 'image/webp', size: 300 * KB } as const;
    expect(checkMediaForChannel('whatsapp', { ...sticker, animated: true })).toBeNull();
    expect(checkMediaForChannel('whatsapp', sticker)).toEqual(tooLarge('whatsapp', 'sticker', 100 * KB, 300 * KB));
  });

  test('a file of unknown type or no bytes is refused with its reason', () => {
    expect(checkMediaForChannel('instagram', { kind: 'document', mimeType: null, size: 10 })).toEqual({
      reason: 'media_type_unknown',
      params: { channel: 'instagram' },
    });
    expect(checkMediaForChannel('whatsapp', { kind: 'image', mimeType: 'image/png', size: 0 })).toEqual({
      reason: 'media_empty',
      params: {},
    });
  });
});

describe('sniffing', () => {
  test('recognises the formats the platforms send', () => {
    expect(sniffMimeType(fakeFile(SIGNATURES.png, 64))?.mimeType).toBe('image/png');
    expect(sniffMimeType(fakeFile(SIGNATURES.pdf, 64))?.mimeType).toBe('application/pdf');
    expect(sniffMimeType(fakeFile(SIGNATURES.mp3, 64))?.mimeType).toBe('audio/mpeg');
    expect(sniffMimeType(fakeFile('\x00\x00\x00\x20ftypM4A ', 64))?.mimeType).toBe('audio/mp4');
    expect(sniffMimeType(fakeFile('\x00\x00\x00\x20ftypisom', 64))?.mimeType).toBe('video/mp4');
    const opus = fakeFile('OggS', 64);
    opus.write('OpusHead', 28, 'latin1');
    expect(sniffMimeType(opus)?.mimeType).toBe('audio/ogg; codecs=opus');
    const animated = fakeFile('RIFF\x00\x00\x00\x00WEBPVP8X', 64);
    animated[20] = 0x02;
    expect(sniffMimeType(animated)).toEqual({ mimeType: 'image/webp', animated: true });
    expect(sniffMimeType(Buffer.from('hello there'))).toBeNull();
  });

  test('a DOCX is a ZIP by its bytes and a DOCX by its declaration; a lie about an image is not believed', () => {
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    const zip = sniffMimeType(fakeFile(SIGNATURES.zip, 64));
    expect(resolveMimeType({ sniffed: zip, declared: docx, fileName: 'a.docx' })).toBe(docx);
    expect(resolveMimeType({ sniffed: zip, declared: 'image/png', fileName: 'a.png' })).toBe('application/zip');
    expect(resolveMimeType({ sniffed: null, declared: 'application/octet-stream', fileName: 'notes.txt' })).toBe(
      'text/plain',
    );
    const mp4 = sniffMimeType(fakeFile('\x00\x00\x00\x20ftypisom', 64));
    expect(resolveMimeType({ sniffed: mp4, declared: 'audio/mp4', fileName: null })).toBe('audio/mp4');
  });

  test('a WhatsApp sha256 is accepted in hex or base64', () => {
    const bytes = Buffer.from('voice note');
    const hex = sha256Hex(bytes);
    expect(sha256Matches(hex.toUpperCase(), hex)).toBe(true);
    expect(sha256Matches(Buffer.from(hex, 'hex').toString('base64'), hex)).toBe(true);
    expect(sha256Matches(sha256Hex(Buffer.from('other')), hex)).toBe(false);
  });
});

describe('parseRange', () => {
  test.each([
    [undefined, { kind: 'all' }],
    ['bytes=0-99', { kind: 'range', range: { start: 0, end: 99 } }],
    ['bytes=900-', { kind: 'range', range: { start: 900, end: 999 } }],
    ['bytes=900-5000', { kind: 'range', range: { start: 900, end: 999 } }],
    ['bytes=-100', { kind: 'range', range: { start: 900, end: 999 } }],
    ['bytes=-5000', { kind: 'range', range: { start: 0, end: 999 } }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', { kind: 'all' }],
    ['items=0-1', { kind: 'all' }],
    ['bytes=50-10', { kind: 'all' }],
  ] as const)('%s of 1000 bytes', (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });
});
