import CheckIcon from '@mui/icons-material/Check';
import AddIcon from '@mui/icons-material/Add';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import ListSubheader from '@mui/material/ListSubheader';
import MenuItem from '@mui/material/MenuItem';
import MenuList from '@mui/material/MenuList';
import Popover, { type PopoverProps } from '@mui/material/Popover';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useMemo, useRef, useState, type JSX } from 'react';
import { normalize } from '../../../common/commands.js';
import { dateTime, useT } from '../../../common/i18n/index.js';
import type { ParleyDb } from '../../../data/db.js';
import { ShortcutKeys } from '../../palette/index.js';
import { ACTION_SHORTCUTS } from './actionCommands.js';
import { fromLocalInput, snoozePresets, toLocalInput, type SnoozePresetId } from './snooze.js';

/** Beside its button, or near the top of the window when opened by keyboard with no button on screen. */
function placement(anchor: HTMLElement | null): Partial<PopoverProps> {
  return anchor !== null && anchor.isConnected
    ? { anchorEl: anchor, anchorOrigin: { vertical: 'bottom', horizontal: 'left' } }
    : {
        anchorReference: 'anchorPosition',
        anchorPosition: { top: 120, left: Math.round(window.innerWidth / 2) },
        transformOrigin: { vertical: 'top', horizontal: 'center' },
      };
}

/** Whom to give the conversation: me, nobody, or a colleague who can work it. */
export function AssignPicker({
  anchor,
  assigneeId,
  myId,
  colleagues,
  onAssign,
  onClose,
}: {
  anchor: HTMLElement | null;
  assigneeId: string | null;
  myId: string;
  colleagues: readonly { id: string; name: string }[];
  onAssign: (assigneeId: string | null) => void;
  onClose: () => void;
}): JSX.Element {
  const { t } = useT();
  const others = colleagues.filter((agent) => agent.id !== assigneeId);
  return (
    <Popover open onClose={onClose} {...placement(anchor)}>
      <MenuList autoFocusItem aria-label={t('actions.assign')} data-testid="assign-menu" sx={{ minWidth: 240 }}>
        {assigneeId !== myId ? (
          <MenuItem onClick={() => onAssign(myId)}>
            <ListItemText>{t('actions.assignToMe')}</ListItemText>
            <ShortcutKeys shortcut={ACTION_SHORTCUTS.assignToMe} size="tiny" />
          </MenuItem>
        ) : null}
        {assigneeId !== null ? <MenuItem onClick={() => onAssign(null)}>{t('actions.unassign')}</MenuItem> : null}
        {others.length > 0 ? <Divider /> : null}
        {others.length > 0 ? <ListSubheader>{t('actions.colleagues')}</ListSubheader> : null}
        {others.map((agent) => (
          <MenuItem key={agent.id} onClick={() => onAssign(agent.id)}>
            {t('actions.assignTo', { name: agent.name })}
          </MenuItem>
        ))}
      </MenuList>
    </Popover>
  );
}

/** Labels used on this device lately, read from the newest conversations (a bounded read). */
async function knownLabels(db: ParleyDb): Promise<string[]> {
  const labels = new Set<string>();
  await db.conversations
    .orderBy('lastMessageAt')
    .reverse()
    .limit(500)
    .each((conversation) => {
      for (const label of conversation.labels) labels.add(label);
    });
  return [...labels].sort((a, b) => a.localeCompare(b));
}

/** Adds or removes labels: the ones known on this device, filtered as the agent types, or a new one. */
export function LabelPicker({
  db,
  anchor,
  labels,
  onToggle,
  onClose,
}: {
  db: ParleyDb;
  anchor: HTMLElement | null;
  labels: readonly string[];
  onToggle: (label: string) => void;
  onClose: () => void;
}): JSX.Element {
  const { t } = useT();
  const [query, setQuery] = useState('');
  const [known, setKnown] = useState<string[]>([]);
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    let live = true;
    void knownLabels(db).then((found) => {
      if (live) setKnown(found);
    });
    return () => {
      live = false;
    };
  }, [db]);
  const typed = query.trim().slice(0, 50);
  const options = useMemo(() => {
    const all = [...new Set([...labels, ...known])].sort((a, b) => a.localeCompare(b));
    const needle = normalize(typed);
    return needle === '' ? all : all.filter((label) => normalize(label).includes(needle));
  }, [labels, known, typed]);
  const exists = options.some((label) => label === typed);

  function choose(label: string): void {
    onToggle(label);
    setQuery('');
  }

  return (
    <Popover open onClose={onClose} {...placement(anchor)} slotProps={{ paper: { sx: { width: 280 } } }}>
      <Box sx={{ p: 1.5, pb: 0.5 }}>
        <TextField
          autoFocus
          fullWidth
          size="small"
          label={t('actions.labelFind')}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown') {
              event.preventDefault();
              list.current?.querySelector<HTMLElement>('[role^="menuitem"]')?.focus();
            } else if (event.key === 'Enter' && typed !== '') {
              event.preventDefault();
              choose(typed);
            }
          }}
          slotProps={{ htmlInput: { maxLength: 50, 'data-testid': 'label-picker-input' } }}
        />
      </Box>
      <MenuList
        ref={list}
        dense
        aria-label={t('actions.label')}
        data-testid="label-menu"
        sx={{ maxHeight: 280, overflow: 'auto' }}
      >
        {typed !== '' && !exists ? (
          <MenuItem onClick={() => choose(typed)}>
            <ListItemIcon>
              <AddIcon fontSize="small" />
            </ListItemIcon>
            {t('actions.labelCreate', { label: typed })}
          </MenuItem>
        ) : null}
        {options.map((label) => {
          const on = labels.includes(label);
          return (
            <MenuItem key={label} role="menuitemcheckbox" aria-checked={on} onClick={() => choose(label)}>
              <ListItemIcon>{on ? <CheckIcon fontSize="small" /> : null}</ListItemIcon>
              {label}
            </MenuItem>
          );
        })}
        {options.length === 0 && typed === '' ? (
          <Typography sx={{ px: 2, py: 1 }} color="text.secondary" variant="body2">
            {t('actions.labelNone')}
          </Typography>
        ) : null}
      </MenuList>
    </Popover>
  );
}

const PRESET_KEYS: Record<
  SnoozePresetId,
  'actions.snooze.laterToday' | 'actions.snooze.thisEvening' | 'actions.snooze.tomorrow' | 'actions.snooze.nextWeek'
> = {
  laterToday: 'actions.snooze.laterToday',
  thisEvening: 'actions.snooze.thisEvening',
  tomorrow: 'actions.snooze.tomorrow',
  nextWeek: 'actions.snooze.nextWeek',
};

/** Until when: a few moments in the agent's clock, or a date and time of their own. */
export function SnoozePicker({
  anchor,
  onSnooze,
  onClose,
}: {
  anchor: HTMLElement | null;
  onSnooze: (until: number) => void;
  onClose: () => void;
}): JSX.Element {
  const { t, lang } = useT();
  const [now] = useState(() => Date.now());
  const presets = useMemo(() => snoozePresets(new Date(now)), [now]);
  const [custom, setCustom] = useState<string | null>(null);
  const customUntil = custom === null ? null : fromLocalInput(custom, now);
  return (
    <Popover open onClose={onClose} {...placement(anchor)}>
      {custom === null ? (
        <MenuList autoFocusItem aria-label={t('actions.snooze')} data-testid="snooze-menu" sx={{ minWidth: 280 }}>
          {presets.map((preset) => (
            <MenuItem key={preset.id} onClick={() => onSnooze(preset.until)} data-preset={preset.id}>
              <ListItemText>{t(PRESET_KEYS[preset.id])}</ListItemText>
              <Typography variant="body2" color="text.secondary" sx={{ ml: 2 }}>
                {dateTime(preset.until, lang)}
              </Typography>
            </MenuItem>
          ))}
          <Divider />
          <MenuItem onClick={() => setCustom(toLocalInput(presets.at(-1)?.until ?? now + 86_400_000))}>
            {t('actions.snooze.custom')}
          </MenuItem>
        </MenuList>
      ) : (
        <Box
          component="form"
          sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 1.5, width: 300 }}
          onSubmit={(event) => {
            event.preventDefault();
            if (customUntil !== null) onSnooze(customUntil);
          }}
        >
          <TextField
            autoFocus
            type="datetime-local"
            size="small"
            label={t('actions.snooze.customLabel')}
            value={custom}
            onChange={(event) => setCustom(event.target.value)}
            error={customUntil === null}
            helperText={customUntil === null ? t('actions.snooze.customInvalid') : dateTime(customUntil, lang)}
            slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'snooze-custom-input' } }}
          />
          <Box sx={{ display: 'flex', justifyContent: 'flex-end', gap: 1 }}>
            <Button onClick={() => setCustom(null)}>{t('common.cancel')}</Button>
            <Button type="submit" variant="contained" disabled={customUntil === null}>
              {t('actions.snooze')}
            </Button>
          </Box>
        </Box>
      )}
    </Popover>
  );
}
