import FilterListIcon from '@mui/icons-material/FilterList';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MenuItem from '@mui/material/MenuItem';
import Popover from '@mui/material/Popover';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { ChannelSchema, ConversationStatusSchema, type ChannelAccount, type Team } from '@parley/protocol';
import { memo, useId, useState, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import { NO_FILTERS, filterCount, type ListFilters, type ListSort } from '../../domain/views.js';

type Option = { value: string; label: string };

function toggle<T extends string>(values: readonly T[], value: T): T[] {
  return values.includes(value) ? values.filter((entry) => entry !== value) : [...values, value];
}

/** One filter: a named group of on/off chips. */
function ChipGroup({
  title,
  testId,
  options,
  chosen,
  onToggle,
}: {
  title: string;
  testId: string;
  options: readonly Option[];
  chosen: readonly string[];
  onToggle: (value: string) => void;
}): JSX.Element | null {
  const id = useId();
  if (options.length === 0) return null;
  return (
    <Box role="group" aria-labelledby={id} data-testid={testId} sx={{ mb: 1.5 }}>
      <Typography id={id} variant="caption" color="text.secondary" sx={{ display: 'block', mb: 0.5, fontWeight: 600 }}>
        {title}
      </Typography>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5 }}>
        {options.map((option) => {
          const on = chosen.includes(option.value);
          return (
            <Chip
              key={option.value}
              label={option.label}
              size="small"
              clickable
              aria-pressed={on}
              color={on ? 'primary' : 'default'}
              variant={on ? 'filled' : 'outlined'}
              onClick={() => onToggle(option.value)}
              data-testid={`${testId}-${option.value}`}
            />
          );
        })}
      </Box>
    </Box>
  );
}

/**
 * The filters (status, channel, inbox, label, team) in a popover, and the order. Memoized:
 * opening a conversation renders the list again, not its filters.
 */
export const ListFilterBar = memo(function ListFilterBar({
  filters,
  onFiltersChange,
  sort,
  onSortChange,
  teams,
  inboxes,
  labels,
}: {
  filters: ListFilters;
  onFiltersChange: (filters: ListFilters) => void;
  sort: ListSort;
  onSortChange: (sort: ListSort) => void;
  teams: readonly Team[];
  inboxes: readonly ChannelAccount[];
  labels: readonly string[];
}): JSX.Element {
  const { t, tn } = useT();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const chosen = filterCount(filters);
  const popoverId = useId();
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 1.5, py: 0.75 }}>
      <Button
        size="small"
        startIcon={<FilterListIcon />}
        onClick={(event) => setAnchor(event.currentTarget)}
        aria-haspopup="dialog"
        aria-expanded={anchor !== null}
        aria-controls={anchor !== null ? popoverId : undefined}
        aria-label={chosen > 0 ? tn('inbox.filtersChosen', chosen) : t('inbox.filters')}
        data-testid="list-filters"
        variant={chosen > 0 ? 'contained' : 'text'}
        disableElevation
        sx={{ textTransform: 'none' }}
      >
        {chosen > 0 ? `${t('inbox.filters')} · ${chosen}` : t('inbox.filters')}
      </Button>
      <Box sx={{ flex: 1 }} />
      <TextField
        select
        size="small"
        variant="standard"
        value={sort}
        onChange={(event) => onSortChange(event.target.value === 'longestWaiting' ? 'longestWaiting' : 'lastActivity')}
        slotProps={{
          select: {
            inputProps: { 'aria-label': t('inbox.sort') },
            SelectDisplayProps: { 'aria-label': t('inbox.sort'), 'data-testid': 'list-sort' } as object,
          },
        }}
        sx={{ minWidth: 140, '& .MuiInputBase-input': { fontSize: 14 } }}
      >
        <MenuItem value="lastActivity" data-testid="sort-lastActivity">
          {t('inbox.sort.lastActivity')}
        </MenuItem>
        <MenuItem value="longestWaiting" data-testid="sort-longestWaiting">
          {t('inbox.sort.longestWaiting')}
        </MenuItem>
      </TextField>
      <Popover
        id={popoverId}
        open={anchor !== null}
        anchorEl={anchor}
        onClose={() => setAnchor(null)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'left' }}
        slotProps={{ paper: { sx: { p: 2, width: 340 }, role: 'dialog', 'aria-label': t('inbox.filters') } }}
      >
        <ChipGroup
          title={t('inbox.filter.status')}
          testId="filter-status"
          options={ConversationStatusSchema.options.map((status) => ({
            value: status,
            label: t(`conversation.status.${status}`),
          }))}
          chosen={filters.statuses}
          onToggle={(value) =>
            onFiltersChange({ ...filters, statuses: toggle(filters.statuses, ConversationStatusSchema.parse(value)) })
          }
        />
        {filters.statuses.length === 0 && (
          <Typography variant="caption" color="text.secondary" sx={{ display: 'block', mt: -1, mb: 1.5 }}>
            {t('inbox.filter.defaultStatuses')}
          </Typography>
        )}
        <ChipGroup
          title={t('inbox.filter.channel')}
          testId="filter-channel"
          options={ChannelSchema.options.map((channel) => ({ value: channel, label: t(`channel.${channel}`) }))}
          chosen={filters.channels}
          onToggle={(value) =>
            onFiltersChange({ ...filters, channels: toggle(filters.channels, ChannelSchema.parse(value)) })
          }
        />
        <ChipGroup
          title={t('inbox.filter.inbox')}
          testId="filter-inbox"
          options={inboxes.map((inbox) => ({ value: inbox.id, label: inbox.name }))}
          chosen={filters.inboxIds}
          onToggle={(value) => onFiltersChange({ ...filters, inboxIds: toggle(filters.inboxIds, value) })}
        />
        <ChipGroup
          title={t('inbox.filter.label')}
          testId="filter-label"
          options={labels.map((label) => ({ value: label, label }))}
          chosen={filters.labels}
          onToggle={(value) => onFiltersChange({ ...filters, labels: toggle(filters.labels, value) })}
        />
        <ChipGroup
          title={t('inbox.filter.team')}
          testId="filter-team"
          options={teams.map((team) => ({ value: team.id, label: team.name }))}
          chosen={filters.teamIds}
          onToggle={(value) => onFiltersChange({ ...filters, teamIds: toggle(filters.teamIds, value) })}
        />
        <Button
          size="small"
          onClick={() => onFiltersChange(NO_FILTERS)}
          disabled={chosen === 0}
          data-testid="filter-clear"
        >
          {t('inbox.filter.clear')}
        </Button>
      </Popover>
    </Box>
  );
});
