import Avatar from '@mui/material/Avatar';
import { useEffect, useState, type JSX } from 'react';
import { fetchMedia, useMediaSource } from '../../platform/media.js';
import { initials } from './panelRules.js';

/**
 * The customer's picture, fetched with the agent's credentials (an `<img src>` could not
 * carry the desktop app's Bearer token); their initials while it loads, when there is none
 * or when it cannot be had. The object URL is revoked when the picture changes or goes.
 */
export function ContactAvatar({
  name,
  avatarMediaId,
  size,
}: {
  name: string;
  avatarMediaId: string | null;
  size: number;
}): JSX.Element {
  const source = useMediaSource();
  const [loaded, setLoaded] = useState<{ mediaId: string; url: string } | null>(null);

  useEffect(() => {
    if (avatarMediaId === null) return;
    const controller = new AbortController();
    let url: string | null = null;
    fetchMedia(source, avatarMediaId, { signal: controller.signal }).then(
      (blob) => {
        if (controller.signal.aborted) return;
        url = URL.createObjectURL(blob);
        setLoaded({ mediaId: avatarMediaId, url });
      },
      () => {
        // No picture to be had: the initials stay.
      },
    );
    return () => {
      controller.abort();
      if (url !== null) URL.revokeObjectURL(url);
    };
  }, [source, avatarMediaId]);

  const url = loaded !== null && loaded.mediaId === avatarMediaId ? loaded.url : undefined;
  return (
    <Avatar
      src={url}
      alt=""
      data-testid="contact-panel-avatar"
      sx={{ width: size, height: size, fontSize: size * 0.4, bgcolor: 'primary.main', color: 'primary.contrastText' }}
    >
      {initials(name)}
    </Avatar>
  );
}
