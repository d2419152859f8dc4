import ErrorOutlineIcon from '@mui/icons-material/ErrorOutlineOutlined';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import Avatar from '@mui/material/Avatar';
import Badge from '@mui/material/Badge';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { Agent, Conversation, Team } from '@parley/protocol';
import { memo, type JSX, type KeyboardEvent } from 'react';
import { useT, shortTime, type Translator } from '../../common/i18n/index.js';
import { ChannelBadge } from '../../common/ui/ChannelBadge.js';
import { slaState, type SlaState } from '../../domain/sla.js';

/** Every row is this tall: the virtual list measures nothing. */
export const ROW_HEIGHT = 88;

/** Labels shown as chips before "+N". */
const SHOWN_LABELS = 2;

export type ConversationListItemProps = {
  conversation: Conversation;
  contactName: string;
  /** What the last message says, in the agent's language. */
  preview: string;
  /** The shared clock: the waiting time and the SLA mark follow it. */
  now: number;
  team: Team | undefined;
  assignee: Agent | undefined;
  meId: string;
  selected: boolean;
  /** The row keyboard focus lands on when the list is entered (roving focus). */
  current: boolean;
  index: number;
  count: number;
  onSelect: (id: string) => void;
  onKeyDown: (event: KeyboardEvent<HTMLElement>, index: number) => void;
  onFocusRow: (index: number) => void;
};

export function initials(name: string): string {
  const parts = name
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .trim()
    .split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts[1]?.[0] ?? '')).toUpperCase() || '?';
}

/** "12 min", "3 h", "2 d": how long, at a glance. */
export function waitedFor(ms: number, t: Translator['t']): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return t('inbox.wait.now');
  if (minutes < 60) return t('inbox.wait.minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('inbox.wait.hours', { n: hours });
  return t('inbox.wait.days', { n: Math.floor(hours / 24) });
}

/** The first-response mark: only when the team's target is near or past and nobody has answered yet. */
export function firstResponseMark(conversation: Conversation, team: Team | undefined, now: number): SlaState {
  if (conversation.firstResponseAt !== null || conversation.status === 'resolved') return 'none';
  const state = slaState(now - conversation.createdAt, team?.firstResponseTargetSeconds);
  return state === 'near' || state === 'breached' ? state : 'none';
}

function ConversationListItemView({
  conversation,
  contactName,
  preview,
  now,
  team,
  assignee,
  meId,
  selected,
  current,
  index,
  count,
  onSelect,
  onKeyDown,
  onFocusRow,
}: ConversationListItemProps): JSX.Element {
  const { t, lang } = useT();
  const unread = conversation.unreadCount;
  const waiting = conversation.waitingSince === null ? null : waitedFor(now - conversation.waitingSince, t);
  const sla = firstResponseMark(conversation, team, now);
  const labels = conversation.labels;
  const assigneeName =
    conversation.assigneeId === null
      ? null
      : conversation.assigneeId === meId
        ? t('conversation.assignedToMe')
        : t('conversation.assignedTo', { name: assignee?.name ?? t('conversation.someone') });
  return (
    <Box
      role="option"
      id={`conversation-option-${conversation.id}`}
      aria-selected={selected}
      aria-current={selected ? 'true' : undefined}
      aria-posinset={index + 1}
      aria-setsize={count}
      tabIndex={current ? 0 : -1}
      data-testid="conversation-item"
      data-conversation-id={conversation.id}
      data-row-index={index}
      data-selected={selected}
      onClick={() => onSelect(conversation.id)}
      onKeyDown={(event) => onKeyDown(event, index)}
      onFocus={() => onFocusRow(index)}
      sx={{
        height: ROW_HEIGHT,
        boxSizing: 'border-box',
        display: 'flex',
        gap: 1.5,
        px: 1.5,
        py: 1,
        cursor: 'pointer',
        borderBottom: 1,
        borderColor: 'divider',
        bgcolor: selected ? 'action.selected' : undefined,
        '&:hover': { bgcolor: selected ? 'action.selected' : 'action.hover' },
        outline: 'none',
        '&:focus-visible': { outline: '2px solid', outlineColor: 'primary.main', outlineOffset: -2 },
      }}
    >
      <Badge
        overlap="circular"
        anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}
        sx={{ alignSelf: 'flex-start', mt: 0.5 }}
        badgeContent={
          <Box sx={{ bgcolor: 'background.paper', borderRadius: '50%', display: 'flex', p: '1px' }}>
            <ChannelBadge channel={conversation.channel} fontSize="inherit" />
          </Box>
        }
      >
        <Avatar aria-hidden sx={{ bgcolor: 'primary.main', width: 40, height: 40, fontSize: 16 }}>
          {initials(contactName)}
        </Avatar>
      </Badge>
      <Box sx={{ minWidth: 0, flex: 1, display: 'flex', flexDirection: 'column', gap: 0.25 }}>
        <Box sx={{ display: 'flex', alignItems: 'baseline', gap: 1 }}>
          <Typography noWrap sx={{ flex: 1, fontWeight: unread > 0 ? 700 : 500 }} data-testid="conversation-name">
            {contactName}
          </Typography>
          <Typography variant="caption" color="text.secondary" sx={{ flexShrink: 0 }}>
            {shortTime(conversation.lastMessageAt, now, lang)}
          </Typography>
        </Box>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
          <Typography
            variant="body2"
            color={unread > 0 ? 'text.primary' : 'text.secondary'}
            noWrap
            sx={{ flex: 1 }}
            data-testid="conversation-preview"
          >
            {preview}
          </Typography>
          {unread > 0 && (
            <Box
              component="span"
              aria-label={t('inbox.unread', { count: unread })}
              data-testid="conversation-unread"
              sx={{
                bgcolor: 'primary.main',
                color: 'primary.contrastText',
                borderRadius: 8,
                px: 0.75,
                minWidth: 20,
                textAlign: 'center',
                fontSize: 12,
                fontWeight: 700,
                lineHeight: '20px',
              }}
            >
              {unread > 99 ? '99+' : unread}
            </Box>
          )}
        </Box>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 0.75, minWidth: 0, height: 22 }}>
          {waiting !== null && (
            <Typography
              variant="caption"
              color="text.secondary"
              sx={{ flexShrink: 0, fontVariantNumeric: 'tabular-nums' }}
              data-testid="conversation-waiting"
            >
              {t('inbox.waiting', { time: waiting })}
            </Typography>
          )}
          {sla !== 'none' && (
            <Box
              component="span"
              data-testid="conversation-sla"
              data-sla={sla}
              sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.25, flexShrink: 0 }}
            >
              {sla === 'breached' ? (
                <ErrorOutlineIcon sx={{ fontSize: 16, color: 'error.main' }} aria-hidden />
              ) : (
                <WarningAmberIcon sx={{ fontSize: 16, color: 'warning.main' }} aria-hidden />
              )}
              <Typography variant="caption" sx={{ fontWeight: 600 }} color="text.primary">
                {t(sla === 'breached' ? 'inbox.sla.breached' : 'inbox.sla.near')}
              </Typography>
            </Box>
          )}
          <Box
            sx={{ display: 'flex', gap: 0.5, minWidth: 0, flex: 1, overflow: 'hidden' }}
            data-testid="conversation-labels"
            aria-label={labels.length > 0 ? t('inbox.labels', { labels: labels.join(', ') }) : undefined}
          >
            {labels.slice(0, SHOWN_LABELS).map((label) => (
              <Box
                key={label}
                component="span"
                aria-hidden
                sx={{
                  border: 1,
                  borderColor: 'divider',
                  borderRadius: 1,
                  px: 0.5,
                  fontSize: 11,
                  lineHeight: '18px',
                  color: 'text.primary',
                  whiteSpace: 'nowrap',
                  overflow: 'hidden',
                  textOverflow: 'ellipsis',
                  maxWidth: 90,
                }}
              >
                {label}
              </Box>
            ))}
            {labels.length > SHOWN_LABELS && (
              <Box component="span" aria-hidden sx={{ fontSize: 11, lineHeight: '18px', color: 'text.secondary' }}>
                {t('inbox.moreLabels', { count: labels.length - SHOWN_LABELS })}
              </Box>
            )}
          </Box>
          {assigneeName !== null && (
            <Avatar
              aria-label={assigneeName}
              role="img"
              title={assigneeName}
              data-testid="conversation-assignee"
              sx={{
                width: 22,
                height: 22,
                fontSize: 10,
                fontWeight: 700,
                bgcolor: conversation.assigneeId === meId ? 'primary.main' : 'action.selected',
                color: conversation.assigneeId === meId ? 'primary.contrastText' : 'text.primary',
                flexShrink: 0,
              }}
            >
              {initials(assignee?.name ?? '?')}
            </Avatar>
          )}
        </Box>
      </Box>
    </Box>
  );
}

/** One conversation in the list; renders again only when what it shows changes. */
export const ConversationListItem = memo(ConversationListItemView);
