import GlobalStyles from '@mui/material/GlobalStyles';
import { memo, useRef, type JSX, type KeyboardEvent } from 'react';
import { useT } from '../../common/i18n/index.js';
import type { ViewId } from '../../domain/views.js';
import type { InboxView } from './useInboxViews.js';

/**
 * The tabs' look, written once: plain elements with classes, so the list's first frame
 * neither measures the tabs nor renders them twice (a scrolling tab strip does both), and
 * tabs that do not fit in the list's width wrap to a second line instead of being cut off.
 */
function ViewTabStyles(): JSX.Element {
  return (
    <GlobalStyles
      styles={(theme) => {
        const v = theme.vars ?? theme;
        return {
          '.pl-view-tabs': {
            display: 'flex',
            flexWrap: 'wrap',
            flexShrink: 0,
            padding: theme.spacing(0, 0.5),
            borderBottom: `1px solid ${v.palette.divider}`,
          },
          '.pl-view-tab': {
            ...theme.typography.button,
            fontSize: 14,
            textTransform: 'none',
            minHeight: 40,
            margin: 0,
            padding: theme.spacing(0, 1.25),
            display: 'inline-flex',
            alignItems: 'center',
            gap: theme.spacing(0.75),
            border: 0,
            borderBottom: '2px solid transparent',
            background: 'none',
            color: v.palette.text.secondary,
            cursor: 'pointer',
            whiteSpace: 'nowrap',
            outline: 'none',
            '&:hover': { backgroundColor: v.palette.action.hover },
            '&:focus-visible': { outline: `2px solid ${v.palette.primary.main}`, outlineOffset: -2 },
            '&[aria-selected="true"]': { color: v.palette.primary.main, borderBottomColor: v.palette.primary.main },
          },
          '.pl-view-count': {
            fontSize: 12,
            fontWeight: 700,
            padding: theme.spacing(0, 0.75),
            borderRadius: 8,
            backgroundColor: v.palette.action.selected,
            color: v.palette.text.primary,
            fontVariantNumeric: 'tabular-nums',
            minWidth: 18,
            textAlign: 'center',
            boxSizing: 'border-box',
          },
        };
      }}
    />
  );
}

/**
 * The views, each with its count; the count is part of the tab's name for screen readers.
 * Memoized: opening a conversation renders the list again, not its tabs.
 */
export const ViewTabs = memo(function ViewTabs({
  views,
  value,
  onChange,
}: {
  views: readonly InboxView[];
  value: string;
  onChange: (view: ViewId) => void;
}): JSX.Element {
  const { t, tn } = useT();
  const list = useRef<HTMLDivElement>(null);
  const selected = views.findIndex((entry) => entry.key === value);
  // The tab keyboard focus lands on when the strip is entered: the selected one, else the first.
  const focusable = selected >= 0 ? selected : 0;

  // Arrows, Home and End move the focus along the tabs (it wraps around); Enter, Space or a
  // click chooses the focused one, as a tab strip does.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const tabs = [...(list.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]') ?? [])];
    const at = tabs.findIndex((tab) => tab === document.activeElement);
    if (at < 0 || tabs.length === 0) return;
    let next: number;
    if (event.key === 'ArrowRight') next = (at + 1) % tabs.length;
    else if (event.key === 'ArrowLeft') next = (at - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    else return;
    event.preventDefault();
    tabs[next]?.focus();
  };

  return (
    <>
      <ViewTabStyles />
      <div
        ref={list}
        role="tablist"
        aria-label={t('inbox.views')}
        data-testid="view-tabs"
        className="pl-view-tabs"
        onKeyDown={onKeyDown}
      >
        {views.map((entry, at) => (
          <button
            key={entry.key}
            type="button"
            role="tab"
            className="pl-view-tab"
            aria-selected={at === selected}
            tabIndex={at === focusable ? 0 : -1}
            data-testid={`view-${entry.key}`}
            aria-label={entry.count === null ? entry.label : tn('inbox.viewCount', entry.count, { view: entry.label })}
            onClick={() => onChange(entry.view)}
          >
            <span>{entry.label}</span>
            <span className="pl-view-count" data-testid={`view-count-${entry.key}`}>
              {entry.count ?? '…'}
            </span>
          </button>
        ))}
      </div>
    </>
  );
});
