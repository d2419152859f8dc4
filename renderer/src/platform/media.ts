import { createContext, useContext } from 'react';
import { send, ServerUnreachable, type ServerAccess } from './http.js';

/**
 * Where media bytes come from and how to prove who asks: a browser is signed in by its
 * HttpOnly cookie, the desktop app by its Bearer token.
 */
export type MediaSource = ServerAccess & { getToken: () => Promise<string | null> };

export const MediaSourceContext = createContext<MediaSource | null>(null);

export function useMediaSource(): MediaSource {
  const source = useContext(MediaSourceContext);
  if (source === null) throw new Error('useMediaSource needs a MediaSourceContext provider.');
  return source;
}

/** Why media could not be shown, in the terms the views put into words. */
export type MediaFailure = 'not_found' | 'not_ready' | 'expired' | 'unreachable' | 'failed';

export class MediaFetchError extends Error {
  constructor(readonly reason: MediaFailure) {
    super(reason);
  }
}

export function mediaPath(mediaId: string, thumbnail: boolean): string {
  return `/api/media/${encodeURIComponent(mediaId)}${thumbnail ? '?thumbnail=1' : ''}`;
}

export function failureForStatus(status: number): MediaFailure {
  if (status === 404) return 'not_found';
  if (status === 410) return 'expired';
  // The server is still copying the file from the platform.
  if (status === 202 || status === 409 || status === 425 || status === 503) return 'not_ready';
  return 'failed';
}

/** The bytes of one media file, or a MediaFetchError saying why not. */
export async function fetchMedia(
  source: MediaSource,
  mediaId: string,
  options: { thumbnail?: boolean; signal?: AbortSignal } = {},
): Promise<Blob> {
  let response: Response;
  try {
    response = await send(source, mediaPath(mediaId, options.thumbnail === true), { signal: options.signal });
  } catch (error) {
    if (error instanceof ServerUnreachable) throw new MediaFetchError('unreachable');
    throw error;
  }
  if (response.status !== 200 && response.status !== 206) throw new MediaFetchError(failureForStatus(response.status));
  return response.blob();
}

/** Saves a file to the agent's machine under its own name. */
export async function downloadMedia(source: MediaSource, mediaId: string, fileName: string | null): Promise<void> {
  const blob = await fetchMedia(source, mediaId);
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName ?? mediaId;
  anchor.rel = 'noopener';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Revoking at once can cancel the download in some browsers; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
