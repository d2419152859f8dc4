import CloseIcon from '@mui/icons-material/Close';
import DownloadIcon from '@mui/icons-material/Download';
import Box from '@mui/material/Box';
import Dialog from '@mui/material/Dialog';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import type { JSX, ReactNode } from 'react';
import { useT } from '../../../common/i18n/index.js';

/** A picture shown whole, over the app. */
export function ImageViewer({
  open,
  url,
  alt,
  notice,
  onDownload,
  onClose,
}: {
  open: boolean;
  url: string | null;
  alt: string;
  /** What to show while the full image is not there (loading, failed). */
  notice: ReactNode;
  onDownload: () => void;
  onClose: () => void;
}): JSX.Element {
  const { t } = useT();
  return (
    <Dialog open={open} onClose={onClose} maxWidth="lg" aria-label={t('media.viewer')}>
      <Box sx={{ position: 'relative', minWidth: 280, minHeight: 120, display: 'grid', placeItems: 'center' }}>
        {url === null ? (
          <Box sx={{ p: 3 }}>{notice}</Box>
        ) : (
          <Box
            component="img"
            src={url}
            alt={alt}
            data-testid="image-viewer-image"
            sx={{ display: 'block', maxWidth: '90vw', maxHeight: '85vh', objectFit: 'contain' }}
          />
        )}
        <Box sx={{ position: 'absolute', top: 8, right: 8, display: 'flex', gap: 1 }}>
          <Tooltip title={t('message.download')}>
            <IconButton onClick={onDownload} aria-label={t('message.download')} sx={{ bgcolor: 'background.paper' }}>
              <DownloadIcon />
            </IconButton>
          </Tooltip>
          <Tooltip title={t('common.close')}>
            <IconButton onClick={onClose} aria-label={t('common.close')} sx={{ bgcolor: 'background.paper' }}>
              <CloseIcon />
            </IconButton>
          </Tooltip>
        </Box>
      </Box>
    </Dialog>
  );
}
