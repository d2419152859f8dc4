import { baseMimeType } from './limits.js';

export const THUMBNAIL_SIZE = 320;
export const THUMBNAIL_MIME_TYPE = 'image/webp';

/** Raster formats worth a preview. SVG is left out: rendering it would run a customer's XML. */
const THUMBNAILABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/heic', 'image/avif']);

export function canThumbnail(mimeType: string | null): boolean {
  return mimeType !== null && THUMBNAILABLE.has(baseMimeType(mimeType));
}

/**
 * A small WebP preview (320 px on the long side, never enlarged) the inbox shows in the
 * thread instead of the full file. Null when the image cannot be decoded: the file itself
 * is still kept and served.
 */
export async function makeThumbnail(file: string): Promise<Buffer | null> {
  try {
    // Loaded with the first image: a server that never makes one starts without it.
    const { default: sharp } = await import('sharp');
    // First frame only for animations; a pixel cap keeps a decompression bomb from eating memory.
    return await sharp(file, { animated: false, limitInputPixels: 100_000_000, failOn: 'error' })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toBuffer();
  } catch {
    return null;
  }
}
