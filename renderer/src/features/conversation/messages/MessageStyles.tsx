import GlobalStyles from '@mui/material/GlobalStyles';
import type { JSX } from 'react';

/**
 * The look of the thread's rows, written once for the whole thread rather than computed for
 * every bubble on every render: a thread opens with a screenful of bubbles and scrolling
 * renders them by the dozen, each with its actions. Colours are the theme's CSS variables,
 * so both schemes follow.
 */
export function MessageStyles(): JSX.Element {
  return (
    <GlobalStyles
      styles={(theme) => {
        const v = theme.vars ?? theme;
        const caption = { ...theme.typography.caption, margin: 0 };
        return {
          '.pl-msg': {
            display: 'flex',
            justifyContent: 'flex-start',
            padding: theme.spacing(0.5, 2),
            transition: 'background-color 400ms',
            backgroundColor: 'transparent',
            '&[data-direction="outbound"]': { justifyContent: 'flex-end' },
            '&[data-highlighted="true"]': { backgroundColor: v.palette.thread.highlight },
            '&:hover .pl-msg-actions, &:focus-within .pl-msg-actions': { opacity: 1 },
          },
          '.pl-msg-column': {
            display: 'flex',
            flexDirection: 'column',
            alignItems: 'flex-start',
            maxWidth: 'min(70%, 560px)',
            minWidth: 0,
          },
          '.pl-msg[data-direction="outbound"] .pl-msg-column': { alignItems: 'flex-end' },
          '.pl-msg-bubble': {
            maxWidth: '100%',
            boxSizing: 'border-box',
            padding: theme.spacing(1, 1.5),
            borderRadius: `4px ${theme.spacing(2.5)} ${theme.spacing(2.5)}`,
            backgroundColor: v.palette.thread.inbound,
            color: v.palette.text.primary,
            boxShadow: theme.shadows[1],
          },
          '.pl-msg[data-direction="outbound"] .pl-msg-bubble': {
            borderRadius: `${theme.spacing(2.5)} 4px ${theme.spacing(2.5)} ${theme.spacing(2.5)}`,
            backgroundColor: v.palette.thread.outbound,
          },
          '.pl-msg[data-kind="note"] .pl-msg-bubble': { backgroundColor: v.palette.thread.note },
          '.pl-msg-text': {
            ...theme.typography.body1,
            margin: 0,
            whiteSpace: 'pre-wrap',
            overflowWrap: 'anywhere',
            '& a': { color: 'inherit', textDecorationColor: 'inherit' },
          },
          '.pl-msg-meta': {
            ...caption,
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'flex-end',
            gap: theme.spacing(0.5),
            opacity: 0.75,
          },
          '.pl-tick': { width: 16, height: 16, flexShrink: 0, fill: 'currentColor', opacity: 0.7 },
          '.pl-tick[data-tick="queued"], .pl-tick[data-tick="pending"]': { width: 15, height: 15 },
          '.pl-tick[data-tick="read"]': { opacity: 1, color: v.palette.thread.readTick },
          '.pl-tick[data-tick="failed"]': { opacity: 1, color: v.palette.error.main },
          '.pl-tick-queued': { display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.25) },
          '.pl-msg-actions': {
            display: 'flex',
            alignItems: 'center',
            alignSelf: 'center',
            gap: 2,
            padding: theme.spacing(0, 0.5),
            margin: theme.spacing(0, 1),
            borderRadius: 40,
            flexShrink: 0,
            backgroundColor: v.palette.background.paper,
            boxShadow: theme.shadows[2],
            opacity: 0,
            transition: 'opacity 120ms',
          },
          '.pl-msg-action': {
            boxSizing: 'border-box',
            width: 30,
            height: 30,
            padding: 5,
            margin: 0,
            border: 0,
            borderRadius: '50%',
            display: 'inline-flex',
            alignItems: 'center',
            justifyContent: 'center',
            flexShrink: 0,
            backgroundColor: 'transparent',
            color: v.palette.action.active,
            fontFamily: 'inherit',
            fontSize: 16,
            lineHeight: 'normal',
            cursor: 'pointer',
            transition: 'background-color 150ms',
            '&:hover': { backgroundColor: v.palette.action.hover },
            '&[aria-pressed="true"]': { backgroundColor: v.palette.action.selected },
            '& svg': { width: 20, height: 20, fill: 'currentColor', flexShrink: 0 },
          },
          '.pl-day': {
            display: 'flex',
            alignItems: 'center',
            gap: theme.spacing(1.5),
            padding: theme.spacing(1, 3),
            '&::before, &::after': { content: '""', flex: 1, borderTop: `1px solid ${v.palette.divider}` },
          },
          '.pl-day-label': {
            ...caption,
            color: v.palette.text.secondary,
            fontWeight: 600,
            fontSize: 12,
          },
        };
      }}
    />
  );
}
