export { type ReceivedFile } from './fetcher.js';
export { baseMimeType, CHANNEL_NAMES, MAX_MEDIA_BYTES } from './limits.js';
export { MediaService } from './media.js';
export { type ByteRange } from './storage.js';
export { THUMBNAIL_MIME_TYPE } from './thumbnails.js';
export { MediaRefusedError, type MediaUpload } from './uploads.js';
