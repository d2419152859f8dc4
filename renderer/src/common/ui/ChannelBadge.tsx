import FacebookIcon from '@mui/icons-material/Facebook';
import InstagramIcon from '@mui/icons-material/Instagram';
import WhatsAppIcon from '@mui/icons-material/WhatsApp';
import type { SvgIconProps } from '@mui/material/SvgIcon';
import type { Channel } from '@parley/protocol';
import type { JSX } from 'react';
import { useT } from '../i18n/index.js';
import { channelColor } from '../theme.js';

const icons = { whatsapp: WhatsAppIcon, messenger: FacebookIcon, instagram: InstagramIcon } as const;

export function ChannelBadge({
  channel,
  fontSize = 'small',
}: {
  channel: Channel;
  fontSize?: SvgIconProps['fontSize'];
}): JSX.Element {
  const { t } = useT();
  const Icon = icons[channel];
  return <Icon titleAccess={t(`channel.${channel}`)} fontSize={fontSize} sx={{ color: channelColor[channel] }} />;
}
