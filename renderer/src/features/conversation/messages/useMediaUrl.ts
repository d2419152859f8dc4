import { useEffect, useState } from 'react';
import { MediaFetchError, fetchMedia, useMediaSource, type MediaFailure } from '../../../platform/media.js';

export type MediaUrlState =
  { kind: 'idle' } | { kind: 'loading' } | { kind: 'ready'; url: string } | { kind: 'failed'; reason: MediaFailure };

type Loaded = { key: string; state: MediaUrlState };

/**
 * An object URL for one media file, fetched with the agent's credentials (an `<img src>`
 * could not carry the desktop app's Bearer token). The URL is revoked when the component
 * unmounts or asks for another file. `mediaId` null means "nothing to load yet", e.g. while
 * the server is still copying the file from the platform. `attempt` changes to retry.
 */
export function useMediaUrl(
  mediaId: string | null,
  options: { thumbnail?: boolean; attempt?: number } = {},
): MediaUrlState {
  const source = useMediaSource();
  const thumbnail = options.thumbnail === true;
  const attempt = options.attempt ?? 0;
  const key = mediaId === null ? null : `${mediaId}|${thumbnail ? 'thumbnail' : 'full'}|${attempt}`;
  const [loaded, setLoaded] = useState<Loaded | null>(null);

  useEffect(() => {
    if (key === null || mediaId === null) return;
    const controller = new AbortController();
    let url: string | null = null;
    fetchMedia(source, mediaId, { thumbnail, signal: controller.signal }).then(
      (blob) => {
        if (controller.signal.aborted) return;
        url = URL.createObjectURL(blob);
        setLoaded({ key, state: { kind: 'ready', url } });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setLoaded({
          key,
          state: { kind: 'failed', reason: error instanceof MediaFetchError ? error.reason : 'failed' },
        });
      },
    );
    return () => {
      controller.abort();
      if (url !== null) URL.revokeObjectURL(url);
    };
  }, [source, key, mediaId, thumbnail]);

  if (key === null) return { kind: 'idle' };
  return loaded !== null && loaded.key === key ? loaded.state : { kind: 'loading' };
}
