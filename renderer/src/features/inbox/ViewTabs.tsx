import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import type { JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import type { ViewId } from '../../domain/views.js';
import type { InboxView } from './useInboxViews.js';

/** The views, each with its count; the count is part of the tab's name for screen readers. */
export function ViewTabs({
  views,
  value,
  onChange,
}: {
  views: readonly InboxView[];
  value: string;
  onChange: (view: ViewId) => void;
}): JSX.Element {
  const { t, tn } = useT();
  const known = views.some((entry) => entry.key === value);
  return (
    <Tabs
      value={known ? value : false}
      onChange={(_, key: string) => {
        const chosen = views.find((entry) => entry.key === key);
        if (chosen !== undefined) onChange(chosen.view);
      }}
      variant="scrollable"
      scrollButtons="auto"
      aria-label={t('inbox.views')}
      data-testid="view-tabs"
      sx={{ minHeight: 40, borderBottom: 1, borderColor: 'divider', px: 0.5 }}
    >
      {views.map((entry) => (
        <Tab
          key={entry.key}
          value={entry.key}
          data-testid={`view-${entry.key}`}
          aria-label={entry.count === null ? entry.label : tn('inbox.viewCount', entry.count, { view: entry.label })}
          sx={{ minHeight: 40, minWidth: 0, px: 1.25, textTransform: 'none', fontSize: 14 }}
          label={
            <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.75 }}>
              <span>{entry.label}</span>
              <Box
                component="span"
                data-testid={`view-count-${entry.key}`}
                sx={{
                  fontSize: 12,
                  fontWeight: 700,
                  px: 0.75,
                  borderRadius: 8,
                  bgcolor: 'action.selected',
                  color: 'text.primary',
                  fontVariantNumeric: 'tabular-nums',
                  minWidth: 18,
                  textAlign: 'center',
                }}
              >
                {entry.count ?? '…'}
              </Box>
            </Box>
          }
        />
      ))}
    </Tabs>
  );
}
