import PersonIcon from '@mui/icons-material/Person';
import Avatar from '@mui/material/Avatar';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { SharedContact } from '@parley/protocol';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';

/** A contact card the customer shared (someone else's details, not theirs). */
export function SharedContactCard({ contact }: { contact: SharedContact }): JSX.Element {
  const { t } = useT();
  return (
    <Box
      data-testid="shared-contact"
      aria-label={t('message.sharedContact')}
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
      <Avatar sx={{ width: 32, height: 32, bgcolor: 'secondary.main' }}>
        <PersonIcon fontSize="small" />
      </Avatar>
      <Box sx={{ minWidth: 0 }}>
        <Typography variant="body2" sx={{ fontWeight: 600 }} data-testid="shared-contact-name">
          {contact.name === '' ? t('message.sharedContact') : contact.name}
        </Typography>
        {contact.organization !== null && (
          <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
            {contact.organization}
          </Typography>
        )}
        {contact.phones.map((phone) => (
          <Typography key={phone.phone} variant="body2" data-testid="shared-contact-phone">
            {phone.phone}
            {phone.type === null ? '' : ` · ${phone.type}`}
          </Typography>
        ))}
        {contact.emails.map((email) => (
          <Typography key={email} variant="body2" color="text.secondary">
            {email}
          </Typography>
        ))}
      </Box>
    </Box>
  );
}
