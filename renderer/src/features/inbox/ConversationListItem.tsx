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

/**
 * The rows' icons as plain SVG (the paths of Material's WhatsApp, Facebook, Instagram,
 * ErrorOutlineOutlined and WarningAmber): a styled icon component computes its styles on
 * every mount, and a scrolled list mounts rows by the hundred.
 */
const ICON_PATHS = {
  whatsapp: [
    'M16.75 13.96c.25.13.41.2.46.3.06.11.04.61-.21 1.18-.2.56-1.24 1.1-1.7 1.12-.46.02-.47.36-2.96-.73-2.49-1.09-3.99-3.75-4.11-3.92-.12-.17-.96-1.38-.92-2.61.05-1.22.69-1.8.95-2.04.24-.26.51-.29.68-.26h.47c.15 0 .36-.06.55.45l.69 1.87c.06.13.1.28.01.44l-.27.41-.39.42c-.12.12-.26.25-.12.5.12.26.62 1.09 1.32 1.78.91.88 1.71 1.17 1.95 1.3.24.14.39.12.54-.04l.81-.94c.19-.25.35-.19.58-.11l1.67.88M12 2a10 10 0 0 1 10 10 10 10 0 0 1-10 10c-1.97 0-3.8-.57-5.35-1.55L2 22l1.55-4.65A9.969 9.969 0 0 1 2 12 10 10 0 0 1 12 2m0 2a8 8 0 0 0-8 8c0 1.72.54 3.31 1.46 4.61L4.5 19.5l2.89-.96A7.95 7.95 0 0 0 12 20a8 8 0 0 0 8-8 8 8 0 0 0-8-8z',
  ],
  messenger: [
    'M5 3h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2m13 2h-2.5A3.5 3.5 0 0 0 12 8.5V11h-2v3h2v7h3v-7h3v-3h-3V9a1 1 0 0 1 1-1h2V5z',
  ],
  instagram: [
    'M7.8 2h8.4C19.4 2 22 4.6 22 7.8v8.4a5.8 5.8 0 0 1-5.8 5.8H7.8C4.6 22 2 19.4 2 16.2V7.8A5.8 5.8 0 0 1 7.8 2m-.2 2A3.6 3.6 0 0 0 4 7.6v8.8C4 18.39 5.61 20 7.6 20h8.8a3.6 3.6 0 0 0 3.6-3.6V7.6C20 5.61 18.39 4 16.4 4H7.6m9.65 1.5a1.25 1.25 0 0 1 1.25 1.25A1.25 1.25 0 0 1 17.25 8 1.25 1.25 0 0 1 16 6.75a1.25 1.25 0 0 1 1.25-1.25M12 7a5 5 0 0 1 5 5 5 5 0 0 1-5 5 5 5 0 0 1-5-5 5 5 0 0 1 5-5m0 2a3 3 0 0 0-3 3 3 3 0 0 0 3 3 3 3 0 0 0 3-3 3 3 0 0 0-3-3z',
  ],
  breached: [
    'M11 15h2v2h-2zm0-8h2v6h-2zm.99-5C6.47 2 2 6.48 2 12s4.47 10 9.99 10C17.52 22 22 17.52 22 12S17.52 2 11.99 2M12 20c-4.42 0-8-3.58-8-8s3.58-8 8-8 8 3.58 8 8-3.58 8-8 8',
  ],
  near: ['M12 5.99 19.53 19H4.47zM12 2 1 21h22z', 'M13 16h-2v2h2zm0-6h-2v5h2z'],
} as const;

/** A row's icon: named when `title` is given, else hidden from assistive technology. */
function RowIcon({
  paths,
  title,
  className = 'pl-row-icon',
  channel,
}: {
  paths: readonly string[];
  title?: string;
  className?: string;
  /** The channel whose colour the icon takes (from the list's styles, not a style of its own). */
  channel?: Conversation['channel'];
}): JSX.Element {
  return (
    <svg
      className={className}
      viewBox="0 0 24 24"
      focusable="false"
      aria-hidden={title === undefined ? true : undefined}
      role={title === undefined ? undefined : 'img'}
      data-channel={channel}
    >
      {paths.map((d) => (
        <path key={d} d={d} />
      ))}
      {title === undefined ? null : <title>{title}</title>}
    </svg>
  );
}

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
            // A row's size, layout and paint stay inside it: rows come and go without laying out the list.
            contain: 'strict',
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
            // The initials are drawn, not read: the row's name says who it is.
            '&::before': { content: 'attr(data-initials) / ""' },
          },
          '.pl-row-icon': {
            width: '1em',
            height: '1em',
            display: 'inline-block',
            flexShrink: 0,
            fill: 'currentColor',
            userSelect: 'none',
          },
          // The channel's mark on the avatar: one element, the icon itself on its disc.
          '.pl-row-icon.pl-row-channel': {
            position: 'absolute',
            right: -3,
            bottom: -3,
            boxSizing: 'content-box',
            padding: 1,
            borderRadius: '50%',
            backgroundColor: v.palette.background.paper,
            fontSize: 14,
          },
          ...Object.fromEntries(
            Object.entries(channelColor).map(([channel, color]) => [
              `.pl-row-channel[data-channel="${channel}"]`,
              { color },
            ]),
          ),
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
      onClick={() => onSelect(conversation.id)}
      onKeyDown={(event) => onKeyDown(event, index)}
      onFocus={() => onFocusRow(index)}
    >
      <div className="pl-row-avatar" data-initials={initials(contactName)}>
        <RowIcon
          className="pl-row-icon pl-row-channel"
          paths={ICON_PATHS[conversation.channel]}
          title={t(`channel.${conversation.channel}`)}
          channel={conversation.channel}
        />
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
              <RowIcon paths={ICON_PATHS[sla === 'breached' ? 'breached' : 'near']} />
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
