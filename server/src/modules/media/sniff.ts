import { baseMimeType } from './limits.js';

/** How many leading bytes `sniffMimeType` looks at. */
export const SNIFF_BYTES = 64;

export type Sniffed = {
  mimeType: string;
  /** An animated WebP (a VP8X header with the animation flag). */
  animated: boolean;
};

function ascii(bytes: Buffer, start: number, length: number): string {
  return bytes.subarray(start, start + length).toString('latin1');
}

/**
 * The type of a file from its first bytes. Messenger and Instagram give no MIME type for
 * their attachments, and an agent's browser may give a wrong one; the bytes decide.
 */
export function sniffMimeType(head: Buffer): Sniffed | null {
  const plain = (mimeType: string): Sniffed => ({ mimeType, animated: false });
  const b = head;
  if (b.length < 4) return null;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return plain('image/jpeg');
  if (ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n') return plain('image/png');
  if (ascii(b, 0, 4) === 'GIF8') return plain('image/gif');
  if (ascii(b, 0, 4) === 'RIFF') {
    const form = ascii(b, 8, 4);
    if (form === 'WEBP') {
      // VP8X carries feature flags; bit 1 of its first byte marks an animation.
      const animated = ascii(b, 12, 4) === 'VP8X' && ((b[20] ?? 0) & 0x02) !== 0;
      return { mimeType: 'image/webp', animated };
    }
    if (form === 'WAVE') return plain('audio/wav');
    if (form === 'AVI ') return plain('video/x-msvideo');
    return null;
  }
  if (ascii(b, 0, 5) === '%PDF-') return plain('application/pdf');
  if (ascii(b, 0, 6) === '#!AMR\n') return plain('audio/amr');
  if (ascii(b, 0, 4) === 'OggS') {
    // The first page's packet names the codec: Opus for WhatsApp voice notes.
    const packet = ascii(b, 28, 8);
    if (packet.startsWith('OpusHead')) return plain('audio/ogg; codecs=opus');
    if (packet.startsWith('\x01vorbis')) return plain('audio/ogg; codecs=vorbis');
    if (packet.startsWith('\x80theora')) return plain('video/ogg');
    return plain('audio/ogg');
  }
  if (ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (brand === 'M4A ' || brand === 'M4B ') return plain('audio/mp4');
    if (brand.startsWith('3g')) return plain('video/3gpp');
    if (brand === 'qt  ') return plain('video/quicktime');
    if (brand === 'heic' || brand === 'heix' || brand === 'mif1') return plain('image/heic');
    if (brand === 'avif') return plain('image/avif');
    return plain('video/mp4');
  }
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) {
    return plain(b.includes('webm', 0, 'latin1') ? 'video/webm' : 'video/x-matroska');
  }
  if (ascii(b, 0, 3) === 'ID3') return plain('audio/mpeg');
  if (b[0] === 0xff && b[1] !== undefined && (b[1] & 0xf6) === 0xf0) return plain('audio/aac');
  if (b[0] === 0xff && b[1] !== undefined && (b[1] & 0xe0) === 0xe0 && (b[1] & 0x06) !== 0) {
    return plain('audio/mpeg');
  }
  if (ascii(b, 0, 4) === 'PK\x03\x04') return plain('application/zip');
  if (b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0) return plain('application/x-cfb');
  return null;
}

/** Containers whose real type (DOCX, XLS…) only the declared type or the name tells. */
const CONTAINERS = new Set(['application/zip', 'application/x-cfb']);

const BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  mov: 'video/quicktime',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  amr: 'audio/amr',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  txt: 'text/plain',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

export function mimeTypeFromFileName(fileName: string | null): string | null {
  if (fileName === null) return null;
  const dot = fileName.lastIndexOf('.');
  if (dot < 0) return null;
  return BY_EXTENSION[fileName.slice(dot + 1).toLowerCase()] ?? null;
}

const GENERIC = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);

/** A declared type worth believing: not empty, not "some bytes". */
export function specificMimeType(mimeType: string | null | undefined): string | null {
  if (mimeType === null || mimeType === undefined) return null;
  return GENERIC.has(baseMimeType(mimeType)) ? null : mimeType.trim();
}

/**
 * Settles a file's type: what its bytes show, unless they only show a container (a DOCX is
 * a ZIP) or agree with a more precise declaration (`audio/ogg; codecs=opus`); then what was
 * declared, then what the name suggests.
 */
export function resolveMimeType(input: {
  sniffed: Sniffed | null;
  declared: string | null;
  fileName: string | null;
}): string | null {
  const declared = specificMimeType(input.declared);
  const fromName = mimeTypeFromFileName(input.fileName);
  const sniffed = input.sniffed?.mimeType ?? null;
  if (sniffed === null) return declared ?? fromName;
  if (CONTAINERS.has(sniffed)) {
    const named = declared ?? fromName;
    const office = named !== null && named.startsWith('application/') && !CONTAINERS.has(baseMimeType(named));
    return office ? named : sniffed;
  }
  if (declared !== null) {
    const [declaredFamily, declaredSubtype] = baseMimeType(declared).split('/');
    const [sniffedFamily, sniffedSubtype] = baseMimeType(sniffed).split('/');
    if (declaredFamily === sniffedFamily && declaredSubtype === sniffedSubtype) {
      return declared.includes(';') ? declared : sniffed;
    }
    // An MP4 or 3GP file holding only sound looks like a video from its first bytes.
    const audioInVideo = declaredFamily === 'audio' && sniffedFamily === 'video' && declaredSubtype === sniffedSubtype;
    if (audioInVideo) return declared;
  }
  return sniffed;
}
