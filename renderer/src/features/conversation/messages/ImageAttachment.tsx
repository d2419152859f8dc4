import ButtonBase from '@mui/material/ButtonBase';
import Box from '@mui/material/Box';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';

/** A picture or sticker in a message; clicking opens it whole. */
export function ImageAttachment({
  url,
  alt,
  sticker,
  onOpen,
}: {
  url: string;
  alt: string;
  sticker: boolean;
  onOpen: () => void;
}): JSX.Element {
  const { t } = useT();
  return (
    <ButtonBase
      onClick={onOpen}
      aria-label={t('message.openImage')}
      data-testid="image-attachment"
      sx={{ display: 'block', borderRadius: 1.5, overflow: 'hidden', my: 0.5 }}
    >
      <Box
        component="img"
        src={url}
        alt={alt}
        sx={{
          display: 'block',
          maxWidth: sticker ? 128 : 'min(320px, 100%)',
          maxHeight: sticker ? 128 : 320,
          objectFit: 'contain',
        }}
      />
    </ButtonBase>
  );
}
