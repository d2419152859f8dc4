import type { Attachment } from '@parley/protocol';
import { useState, type JSX } from 'react';
import { AudioAttachment } from './AudioAttachment.js';
import { DocumentAttachment } from './DocumentAttachment.js';
import { ImageAttachment } from './ImageAttachment.js';
import { ImageViewer } from './ImageViewer.js';
import { MediaNotice } from './MediaNotice.js';
import { VideoAttachment } from './VideoAttachment.js';
import { useT } from '../../../common/i18n/index.js';
import { downloadMedia, MediaFetchError, useMediaSource } from '../../../platform/media.js';
import { useMediaUrl, type MediaUrlState } from './useMediaUrl.js';

function notice(state: MediaUrlState, onRetry: () => void): JSX.Element {
  if (state.kind === 'failed') {
    return <MediaNotice state={state.reason} onRetry={state.reason === 'not_found' ? undefined : onRetry} />;
  }
  return <MediaNotice state="loading" />;
}

/** One file of a message: fetched with the agent's credentials, shown by kind. */
export function MessageAttachment({
  attachment,
  caption,
}: {
  attachment: Attachment;
  caption: string | null;
}): JSX.Element {
  const { t } = useT();
  const source = useMediaSource();
  const ready = attachment.status === 'ready';
  const visual = attachment.kind === 'image' || attachment.kind === 'sticker';
  const [attempt, setAttempt] = useState(0);
  const [viewerOpen, setViewerOpen] = useState(false);
  const [playRequested, setPlayRequested] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<MediaUrlState | null>(null);

  // Pictures load their thumbnail at once, audio its file (voice notes are small); a video
  // only its poster until played, a document nothing until downloaded.
  const inline = useMediaUrl(
    ready && (visual || attachment.kind === 'audio' || (attachment.kind === 'video' && attachment.hasThumbnail))
      ? attachment.mediaId
      : null,
    { thumbnail: attachment.hasThumbnail && attachment.kind !== 'audio', attempt },
  );
  const full = useMediaUrl(
    ready && ((visual && viewerOpen) || (attachment.kind === 'video' && playRequested)) ? attachment.mediaId : null,
    { attempt },
  );

  const retry = (): void => {
    setDownloadError(null);
    setAttempt((value) => value + 1);
  };
  const download = (): void => {
    setDownloading(true);
    setDownloadError(null);
    downloadMedia(source, attachment.mediaId, attachment.fileName).then(
      () => setDownloading(false),
      (error: unknown) => {
        setDownloading(false);
        setDownloadError({ kind: 'failed', reason: error instanceof MediaFetchError ? error.reason : 'failed' });
      },
    );
  };

  if (attachment.status === 'pending') return <MediaNotice state="pending" />;
  if (attachment.status === 'expired') return <MediaNotice state="expired" />;
  if (attachment.status === 'failed') return <MediaNotice state="copy_failed" />;

  switch (attachment.kind) {
    case 'image':
    case 'sticker': {
      if (inline.kind !== 'ready') return notice(inline, retry);
      const alt = caption ?? t(attachment.kind === 'sticker' ? 'preview.sticker' : 'preview.image');
      return (
        <>
          <ImageAttachment
            url={inline.url}
            alt={alt}
            sticker={attachment.kind === 'sticker'}
            onOpen={() => setViewerOpen(true)}
          />
          <ImageViewer
            open={viewerOpen}
            url={full.kind === 'ready' ? full.url : null}
            alt={alt}
            notice={notice(full, retry)}
            onDownload={download}
            onClose={() => setViewerOpen(false)}
          />
          {downloadError !== null && notice(downloadError, retry)}
        </>
      );
    }
    case 'audio':
      return inline.kind === 'ready' ? (
        <AudioAttachment url={inline.url} voice={attachment.voice} />
      ) : (
        notice(inline, retry)
      );
    case 'video':
      if (full.kind === 'failed') return notice(full, retry);
      return (
        <VideoAttachment
          posterUrl={inline.kind === 'ready' ? inline.url : null}
          videoUrl={full.kind === 'ready' ? full.url : null}
          loading={full.kind === 'loading'}
          size={attachment.size}
          onPlay={() => setPlayRequested(true)}
        />
      );
    case 'document':
    case 'file':
      return (
        <>
          <DocumentAttachment
            fileName={attachment.fileName ?? t('preview.document')}
            mimeType={attachment.mimeType}
            size={attachment.size}
            downloading={downloading}
            onDownload={download}
          />
          {downloadError !== null && notice(downloadError, retry)}
        </>
      );
  }
}
