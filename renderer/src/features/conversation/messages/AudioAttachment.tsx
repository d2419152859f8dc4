import GraphicEqIcon from '@mui/icons-material/GraphicEq';
import MicIcon from '@mui/icons-material/Mic';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';

/** An audio file or a WhatsApp voice note, labelled as such, with the browser's player. */
export function AudioAttachment({ url, voice }: { url: string; voice: boolean }): JSX.Element {
  const { t } = useT();
  const label = t(voice ? 'message.voice' : 'message.audio');
  return (
    <Box sx={{ my: 0.5 }} data-testid="audio-attachment" data-voice={voice}>
      <Typography variant="caption" sx={{ display: 'flex', alignItems: 'center', gap: 0.5, opacity: 0.8 }}>
        {voice ? <MicIcon fontSize="inherit" /> : <GraphicEqIcon fontSize="inherit" />}
        {label}
      </Typography>
      <Box component="audio" controls src={url} aria-label={label} sx={{ display: 'block', maxWidth: '100%' }} />
    </Box>
  );
}
