import DownloadIcon from '@mui/icons-material/Download';
import InsertDriveFileOutlinedIcon from '@mui/icons-material/InsertDriveFileOutlined';
import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { useT, fileSize } from '../../../common/i18n/index.js';

/** A document: its name, size and type, and a button that saves it. */
export function DocumentAttachment({
  fileName,
  mimeType,
  size,
  downloading,
  onDownload,
}: {
  fileName: string;
  mimeType: string | null;
  size: number | null;
  downloading: boolean;
  onDownload: () => void;
}): JSX.Element {
  const { t, lang } = useT();
  const details = [size === null ? null : fileSize(size, lang), mimeType].filter((part) => part !== null).join(' · ');
  return (
    <Box
      data-testid="document-attachment"
      sx={{
        display: 'flex',
        alignItems: 'center',
        gap: 1.25,
        px: 1.25,
        py: 1,
        my: 0.5,
        minWidth: 220,
        borderRadius: 1.5,
        bgcolor: 'action.hover',
      }}
    >
      <InsertDriveFileOutlinedIcon />
      <Box sx={{ minWidth: 0, flex: 1 }}>
        <Typography variant="body2" sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>
          {fileName}
        </Typography>
        {details !== '' && (
          <Typography variant="caption" color="text.secondary">
            {details}
          </Typography>
        )}
      </Box>
      <Tooltip title={t('message.download')}>
        <span>
          <IconButton aria-label={t('message.download')} onClick={onDownload} disabled={downloading} size="small">
            {downloading ? <CircularProgress size={18} /> : <DownloadIcon fontSize="small" />}
          </IconButton>
        </span>
      </Tooltip>
    </Box>
  );
}
