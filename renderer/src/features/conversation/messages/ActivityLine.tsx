import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { Message } from '@parley/protocol';
import type { JSX } from 'react';
import { messageTime, useT } from '../../../common/i18n/index.js';
import { activityNote, activityText, type ActivityNames } from './activityText.js';

/** Something that happened to the conversation (an assignment, a status, a team): a quiet centred line. */
export function ActivityLine({ message, names }: { message: Message; names: ActivityNames }): JSX.Element {
  const { t, lang } = useT();
  const activity = message.activity ?? null;
  // A snooze that ends by itself (its time came, or the customer wrote) is Parley reopening it.
  const snoozeEnded =
    activity?.type === 'status' && activity.from === 'snoozed' && activity.to === 'open' && activity.byAgentId === null;
  const text =
    activity === null
      ? (message.text ?? t('preview.activity'))
      : snoozeEnded
        ? t('thread.snoozeEnded')
        : activityText(activity, names, lang);
  const note = activity === null ? null : activityNote(activity, lang);
  return (
    <Box
      data-testid="message"
      data-message-id={message.id}
      data-direction={message.direction}
      data-kind="activity"
      sx={{ display: 'flex', justifyContent: 'center', px: 4, py: 0.75 }}
    >
      <Typography
        variant="caption"
        color="text.secondary"
        component="div"
        data-testid="activity-line"
        sx={{
          textAlign: 'center',
          borderTop: 1,
          borderBottom: 1,
          borderColor: 'divider',
          px: 1.5,
          py: 0.25,
          maxWidth: 560,
        }}
      >
        {text} · {messageTime(message.createdAt, undefined, lang)}
        {note !== null && (
          <Box component="span" sx={{ display: 'block', fontStyle: 'italic' }} data-testid="activity-note">
            {note}
          </Box>
        )}
      </Typography>
    </Box>
  );
}
