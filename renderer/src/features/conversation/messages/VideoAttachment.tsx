import PlayCircleIcon from '@mui/icons-material/PlayCircle';
import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { useT, fileSize } from '../../../common/i18n/index.js';

/**
 * A video: a poster with a play button first, so a thread does not download every video
 * in it; the player once the agent asks for it.
 */
export function VideoAttachment({
  posterUrl,
  videoUrl,
  loading,
  size,
  onPlay,
}: {
  posterUrl: string | null;
  videoUrl: string | null;
  loading: boolean;
  size: number | null;
  onPlay: () => void;
}): JSX.Element {
  const { t, lang } = useT();
  if (videoUrl !== null) {
    return (
      <Box
        component="video"
        controls
        autoPlay
        src={videoUrl}
        data-testid="video-attachment"
        sx={{ display: 'block', maxWidth: 'min(360px, 100%)', maxHeight: 360, borderRadius: 1.5, my: 0.5 }}
      />
    );
  }
  return (
    <ButtonBase
      onClick={onPlay}
      disabled={loading}
      aria-label={t('message.playVideo')}
      data-testid="video-attachment"
      sx={{
        position: 'relative',
        display: 'grid',
        placeItems: 'center',
        width: 280,
        maxWidth: '100%',
        minHeight: 160,
        borderRadius: 1.5,
        overflow: 'hidden',
        bgcolor: 'action.hover',
        my: 0.5,
      }}
    >
      {posterUrl !== null && (
        <Box
          component="img"
          src={posterUrl}
          alt=""
          sx={{ position: 'absolute', inset: 0, width: '100%', height: '100%', objectFit: 'cover' }}
        />
      )}
      <Box sx={{ position: 'relative', display: 'grid', placeItems: 'center', gap: 0.5 }}>
        {loading ? <CircularProgress size={40} /> : <PlayCircleIcon sx={{ fontSize: 48, opacity: 0.9 }} />}
        <Typography variant="caption" sx={{ fontWeight: 600 }}>
          {t('message.video')}
          {size === null ? '' : ` · ${fileSize(size, lang)}`}
        </Typography>
      </Box>
    </ButtonBase>
  );
}
