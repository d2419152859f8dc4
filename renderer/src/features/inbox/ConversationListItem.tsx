import ErrorOutlineIcon from '@mui/icons-material/ErrorOutlineOutlined';
import FacebookIcon from '@mui/icons-material/Facebook';
import InstagramIcon from '@mui/icons-material/Instagram';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import WhatsAppIcon from '@mui/icons-material/WhatsApp';
import GlobalStyles from '@mui/material/GlobalStyles';
import type { Agent, Conversation, Team } from '@parley/protocol';
import { memo, type JSX, type KeyboardEvent } from 'react';
import { shortTime, type Translator } from '../../common/i18n/index.js';
import { channelColor } from '../../common/theme.js';
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
  /** The list's words: rows do not each ask i18n for them. */
  translator: Translator;
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

const channelIcons = { whatsapp: WhatsAppIcon, messenger: FacebookIcon, instagram: InstagramIcon } as const;

/**
 * The rows' look, written once for the whole list rather than computed for every row on
 * every render: a list scrolled through thousands of rows renders them by the hundred.
 * Colours are the theme's CSS variables, so both schemes follow.
 */
export function ConversationRowStyles(): JSX.Element {
  return (
    <GlobalStyles
      styles={(theme) => {
        const v = theme.vars ?? theme;
        const caption = { ...theme.typography.caption, margin: 0 };
        return {
          '.pl-row': {
            height: ROW_HEIGHT,
            boxSizing: 'border-box',
            display: 'flex',
            gap: theme.spacing(1.5),
            padding: theme.spacing(1, 1.5),
            cursor: 'pointer',
            borderBottom: `1px solid ${v.palette.divider}`,
            outline: 'none',
            '&:hover': { backgroundColor: v.palette.action.hover },
            '&[aria-selected="true"]': { backgroundColor: v.palette.action.selected },
            '&:focus-visible': { outline: `2px solid ${v.palette.primary.main}`, outlineOffset: -2 },
          },
          '.pl-row-avatar': {
            position: 'relative',
            flexShrink: 0,
            alignSelf: 'flex-start',
            marginTop: 4,
            width: 40,
            height: 40,
            borderRadius: '50%',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
            backgroundColor: v.palette.primary.main,
            color: v.palette.background.default,
            fontFamily: theme.typography.fontFamily,
            fontSize: 16,
            userSelect: 'none',
          },
          '.pl-row-channel': {
            position: 'absolute',
            right: -3,
            bottom: -3,
            display: 'flex',
            padding: 1,
            borderRadius: '50%',
            backgroundColor: v.palette.background.paper,
            fontSize: 14,
          },
          '.pl-row-body': { minWidth: 0, flex: 1, display: 'flex', flexDirection: 'column', gap: theme.spacing(0.25) },
          '.pl-row-line': { display: 'flex', alignItems: 'center', gap: theme.spacing(1), minWidth: 0 },
          '.pl-row-line.pl-row-top': { alignItems: 'baseline' },
          '.pl-row-line.pl-row-meta': { gap: theme.spacing(0.75), height: 22 },
          '.pl-row-name': {
            ...theme.typography.body1,
            margin: 0,
            flex: 1,
            fontWeight: 500,
            overflow: 'hidden',
            textOverflow: 'ellipsis',
            whiteSpace: 'nowrap',
          },
          '.pl-row-unread .pl-row-name': { fontWeight: 700 },
          '.pl-row-time': { ...caption, color: v.palette.text.secondary, flexShrink: 0 },
          '.pl-row-preview': {
            ...theme.typography.body2,
            margin: 0,
            flex: 1,
            color: v.palette.text.secondary,
            overflow: 'hidden',
            textOverflow: 'ellipsis',
            whiteSpace: 'nowrap',
          },
          '.pl-row-unread .pl-row-preview': { color: v.palette.text.primary },
          '.pl-row-count': {
            backgroundColor: v.palette.primary.main,
            color: v.palette.primary.contrastText,
            borderRadius: 8,
            padding: theme.spacing(0, 0.75),
            minWidth: 20,
            boxSizing: 'border-box',
            textAlign: 'center',
            fontFamily: theme.typography.fontFamily,
            fontSize: 12,
            fontWeight: 700,
            lineHeight: '20px',
          },
          '.pl-row-waiting': {
            ...caption,
            color: v.palette.text.secondary,
            flexShrink: 0,
            fontVariantNumeric: 'tabular-nums',
          },
          '.pl-row-sla': { display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.25), flexShrink: 0 },
          '.pl-row-sla svg': { fontSize: 16 },
          '.pl-row-sla[data-sla="breached"] svg': { color: v.palette.error.main },
          '.pl-row-sla[data-sla="near"] svg': { color: v.palette.warning.main },
          '.pl-row-sla-text': { ...caption, fontWeight: 600, color: v.palette.text.primary },
          '.pl-row-labels': { display: 'flex', gap: theme.spacing(0.5), minWidth: 0, flex: 1, overflow: 'hidden' },
          '.pl-row-label': {
            border: `1px solid ${v.palette.divider}`,
            borderRadius: 4,
            padding: theme.spacing(0, 0.5),
            fontFamily: theme.typography.fontFamily,
            fontSize: 11,
            lineHeight: '18px',
            color: v.palette.text.primary,
            whiteSpace: 'nowrap',
            overflow: 'hidden',
            textOverflow: 'ellipsis',
            maxWidth: 90,
          },
          '.pl-row-more': {
            fontFamily: theme.typography.fontFamily,
            fontSize: 11,
            lineHeight: '18px',
            color: v.palette.text.secondary,
          },
          '.pl-row-assignee': {
            width: 22,
            height: 22,
            flexShrink: 0,
            borderRadius: '50%',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
            fontFamily: theme.typography.fontFamily,
            fontSize: 10,
            fontWeight: 700,
            backgroundColor: v.palette.action.selected,
            color: v.palette.text.primary,
          },
          '.pl-row-assignee[data-mine="true"]': {
            backgroundColor: v.palette.primary.main,
            color: v.palette.primary.contrastText,
          },
        };
      }}
    />
  );
}

function ConversationListItemView({
  conversation,
  contactName,
  preview,
  now,
  team,
  assignee,
  meId,
  translator,
  selected,
  current,
  index,
  count,
  onSelect,
  onKeyDown,
  onFocusRow,
}: ConversationListItemProps): JSX.Element {
  const { t, lang } = translator;
  const unread = conversation.unreadCount;
  const waiting = conversation.waitingSince === null ? null : waitedFor(now - conversation.waitingSince, t);
  const sla = firstResponseMark(conversation, team, now);
  const labels = conversation.labels;
  const mine = conversation.assigneeId === meId;
  const assigneeName =
    conversation.assigneeId === null
      ? null
      : mine
        ? t('conversation.assignedToMe')
        : t('conversation.assignedTo', { name: assignee?.name ?? t('conversation.someone') });
  const ChannelIcon = channelIcons[conversation.channel];
  return (
    <div
      role="option"
      className={unread > 0 ? 'pl-row pl-row-unread' : 'pl-row'}
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
    >
      <div className="pl-row-avatar">
        <span aria-hidden>{initials(contactName)}</span>
        <span className="pl-row-channel">
          <ChannelIcon
            titleAccess={t(`channel.${conversation.channel}`)}
            fontSize="inherit"
            style={{ color: channelColor[conversation.channel] }}
          />
        </span>
      </div>
      <div className="pl-row-body">
        <div className="pl-row-line pl-row-top">
          <p className="pl-row-name" data-testid="conversation-name">
            {contactName}
          </p>
          <span className="pl-row-time">{shortTime(conversation.lastMessageAt, now, lang)}</span>
        </div>
        <div className="pl-row-line">
          <p className="pl-row-preview" data-testid="conversation-preview">
            {preview}
          </p>
          {unread > 0 && (
            <span
              className="pl-row-count"
              aria-label={t('inbox.unread', { count: unread })}
              data-testid="conversation-unread"
            >
              {unread > 99 ? '99+' : unread}
            </span>
          )}
        </div>
        <div className="pl-row-line pl-row-meta">
          {waiting !== null && (
            <span className="pl-row-waiting" data-testid="conversation-waiting">
              {t('inbox.waiting', { time: waiting })}
            </span>
          )}
          {sla !== 'none' && (
            <span className="pl-row-sla" data-testid="conversation-sla" data-sla={sla}>
              {sla === 'breached' ? (
                <ErrorOutlineIcon fontSize="inherit" aria-hidden />
              ) : (
                <WarningAmberIcon fontSize="inherit" aria-hidden />
              )}
              <span className="pl-row-sla-text">{t(sla === 'breached' ? 'inbox.sla.breached' : 'inbox.sla.near')}</span>
            </span>
          )}
          <div
            className="pl-row-labels"
            data-testid="conversation-labels"
            aria-label={labels.length > 0 ? t('inbox.labels', { labels: labels.join(', ') }) : undefined}
          >
            {labels.slice(0, SHOWN_LABELS).map((label) => (
              <span key={label} className="pl-row-label" aria-hidden>
                {label}
              </span>
            ))}
            {labels.length > SHOWN_LABELS && (
              <span className="pl-row-more" aria-hidden>
                {t('inbox.moreLabels', { count: labels.length - SHOWN_LABELS })}
              </span>
            )}
          </div>
          {assigneeName !== null && (
            <span
              className="pl-row-assignee"
              aria-label={assigneeName}
              role="img"
              title={assigneeName}
              data-testid="conversation-assignee"
              data-mine={mine}
            >
              {initials(assignee?.name ?? '?')}
            </span>
          )}
        </div>
      </div>
    </div>
  );
}

/** One conversation in the list; renders again only when what it shows changes. */
export const ConversationListItem = memo(ConversationListItemView);
