import OpenInNewIcon from '@mui/icons-material/OpenInNew';
import PlaceIcon from '@mui/icons-material/Place';
import Box from '@mui/material/Box';
import Link from '@mui/material/Link';
import Typography from '@mui/material/Typography';
import type { Location } from '@parley/protocol';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';
import { mapUrl } from '../../../domain/messageView.js';

/** A place a customer shared: its name and address, and a link that opens a map. */
export function LocationCard({ location }: { location: Location }): JSX.Element {
  const { t } = useT();
  const coordinates = `${location.latitude.toFixed(5)}, ${location.longitude.toFixed(5)}`;
  return (
    <Box
      data-testid="location-card"
      sx={{
        display: 'flex',
        gap: 1.25,
        px: 1.25,
        py: 1,
        my: 0.5,
        minWidth: 220,
        borderRadius: 1.5,
        bgcolor: 'action.hover',
      }}
    >
      <PlaceIcon color="error" />
      <Box sx={{ minWidth: 0 }}>
        <Typography variant="body2" sx={{ fontWeight: 600 }} data-testid="location-name">
          {location.name ?? t('message.location')}
        </Typography>
        {location.address !== null && (
          <Typography variant="body2" color="text.secondary" data-testid="location-address">
            {location.address}
          </Typography>
        )}
        <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
          {coordinates}
        </Typography>
        <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap', mt: 0.5 }}>
          <Link
            href={mapUrl(location)}
            target="_blank"
            rel="noopener noreferrer"
            variant="body2"
            sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5 }}
            data-testid="location-map-link"
          >
            {t('message.openMap')}
            <OpenInNewIcon sx={{ fontSize: 14 }} />
          </Link>
          {location.url !== null && /^https?:\/\//i.test(location.url) && (
            <Link href={location.url} target="_blank" rel="noopener noreferrer" variant="body2">
              {t('message.website')}
            </Link>
          )}
        </Box>
      </Box>
    </Box>
  );
}
