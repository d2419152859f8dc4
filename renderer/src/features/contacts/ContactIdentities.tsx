import CheckIcon from '@mui/icons-material/Check';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { ContactIdentity } from '@parley/protocol';
import { useEffect, useState, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import { ChannelBadge } from '../../common/ui/ChannelBadge.js';
import { identityValue, sortedIdentities } from './panelRules.js';

/** A button that copies `value` to the clipboard and says so, in its tooltip and to screen readers. */
export function CopyButton({ value, label }: { value: string; label: string }): JSX.Element {
  const { t } = useT();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const said = state === 'copied' ? t('contacts.copied') : state === 'failed' ? t('contacts.copyFailed') : '';
  return (
    <>
      <Tooltip title={said === '' ? label : said}>
        <IconButton
          size="small"
          aria-label={label}
          onClick={() => {
            void navigator.clipboard.writeText(value).then(
              () => setState('copied'),
              () => setState('failed'),
            );
          }}
        >
          {state === 'copied' ? <CheckIcon fontSize="small" /> : <ContentCopyIcon fontSize="small" />}
        </IconButton>
      </Tooltip>
      <Box component="span" role="status" sx={visuallyHidden}>
        {said}
      </Box>
    </>
  );
}

export const visuallyHidden = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;

/** Every identity of the customer on every platform: the channel's icon, what kind of id, the id. */
export function ContactIdentities({ identities }: { identities: readonly ContactIdentity[] }): JSX.Element {
  const { t } = useT();
  if (identities.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        {t('contacts.noIdentities')}
      </Typography>
    );
  }
  return (
    <Box component="ul" sx={{ listStyle: 'none', m: 0, p: 0 }} data-testid="contact-identities">
      {sortedIdentities(identities).map((identity) => {
        const value = identityValue(identity);
        const kind = t(`contacts.identity.${identity.kind}`);
        return (
          <Box
            component="li"
            key={`${identity.channel}:${identity.kind}:${identity.externalId}`}
            data-testid="contact-identity"
            data-channel={identity.channel}
            sx={{ display: 'flex', alignItems: 'center', gap: 1, py: 0.25 }}
          >
            <ChannelBadge channel={identity.channel} />
            <Box sx={{ minWidth: 0, flex: 1 }}>
              <Typography variant="caption" color="text.secondary" component="div">
                {kind}
              </Typography>
              <Typography
                variant="body2"
                component="div"
                data-testid="contact-identity-value"
                sx={{ overflowWrap: 'anywhere', fontFamily: identity.kind === 'wa_id' ? undefined : 'monospace' }}
              >
                {value}
              </Typography>
            </Box>
            <CopyButton value={value} label={t('contacts.copyIdentity', { kind })} />
          </Box>
        );
      })}
    </Box>
  );
}
