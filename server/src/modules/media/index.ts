export { type ReceivedFile } from './fetcher.js';
export { baseMimeType, CHANNEL_NAMES, MAX_MEDIA_BYTES } from './limits.js';
export { MediaRefusedError, MediaService, type MediaUpload } from './media.js';
export { type ByteRange } from './storage.js';
export { THUMBNAIL_MIME_TYPE } from './thumbnails.js';
