import SearchIcon from '@mui/icons-material/Search';
import Box from '@mui/material/Box';
import Dialog from '@mui/material/Dialog';
import InputBase from '@mui/material/InputBase';
import Typography from '@mui/material/Typography';
import { useEffect, useId, useMemo, useRef, useState, type JSX, type RefObject } from 'react';
import { COMMAND_GROUPS, filterCommands, type Command, type CommandGroup } from '../../common/commands.js';
import { useT, type MessageKey } from '../../common/i18n/index.js';
import { ChannelBadge } from '../../common/ui/ChannelBadge.js';
import type { ParleyDb } from '../../data/db.js';
import { findConversations, type ConversationHit } from './findConversations.js';
import type { TypedAhead } from './PaletteTypeAhead.js';
import { ShortcutKeys } from './ShortcutKeys.js';

export const GROUP_TITLES: Record<CommandGroup, MessageKey> = {
  conversation: 'palette.group.conversation',
  navigation: 'palette.group.navigation',
  views: 'palette.group.views',
  app: 'palette.group.app',
};

type Item =
  { kind: 'command'; key: string; command: Command } | { kind: 'conversation'; key: string; hit: ConversationHit };

/**
 * Ctrl/⌘+K: every action on the open conversation, every view, every conversation by its
 * contact's name, and the app's own commands, in one filtered list worked by keyboard.
 */
export function CommandPalette({
  open,
  onClose,
  commands,
  db,
  onOpenConversation,
  typedAheadRef,
}: {
  open: boolean;
  onClose: () => void;
  commands: readonly Command[];
  db: ParleyDb;
  onOpenConversation: (conversationId: string) => void;
  /** What was typed while the palette's code loaded, taken once. */
  typedAheadRef?: RefObject<TypedAhead>;
}): JSX.Element {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      fullWidth
      maxWidth="sm"
      disableRestoreFocus
      slotProps={{ paper: { sx: { alignSelf: 'flex-start', mt: '12vh' } } }}
      data-testid="command-palette"
    >
      {open ? (
        <PaletteBody
          onClose={onClose}
          commands={commands}
          db={db}
          onOpenConversation={onOpenConversation}
          typedAheadRef={typedAheadRef}
        />
      ) : null}
    </Dialog>
  );
}

function PaletteBody({
  onClose,
  commands,
  db,
  onOpenConversation,
  typedAheadRef,
}: {
  onClose: () => void;
  commands: readonly Command[];
  db: ParleyDb;
  onOpenConversation: (conversationId: string) => void;
  typedAheadRef: RefObject<TypedAhead> | undefined;
}): JSX.Element {
  const { t } = useT();
  const id = useId();
  const [ahead] = useState(() => {
    const typed = typedAheadRef?.current ?? { text: '', enter: false };
    if (typedAheadRef !== undefined) typedAheadRef.current = { text: '', enter: false };
    return typed;
  });
  const [query, setQuery] = useState(ahead.text);
  const [active, setActive] = useState(0);
  const [found, setFound] = useState<{ query: string; hits: ConversationHit[] }>({ query: '', hits: [] });
  const list = useRef<HTMLDivElement>(null);

  // Names are looked up a moment after the agent stops typing, a bounded read each time.
  useEffect(() => {
    const wanted = query.trim();
    if (wanted === '') return;
    let live = true;
    const timer = window.setTimeout(() => {
      void findConversations(db, wanted).then((hits) => {
        if (live) setFound({ query: wanted, hits });
      });
    }, 120);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [db, query]);

  const groups = useMemo(() => {
    const matched = filterCommands(
      commands.filter((command) => command.disabled !== true),
      query,
    );
    const result: { title: string; items: Item[] }[] = [];
    const byGroup = (group: CommandGroup): Item[] =>
      matched
        .filter((command) => command.group === group)
        .map((command) => ({ kind: 'command' as const, key: command.id, command }));
    // With a query, the best match leads whatever its group; without, the groups in order.
    const order: CommandGroup[] = query.trim() === '' ? [...COMMAND_GROUPS] : [...new Set(matched.map((c) => c.group))];
    for (const group of order) {
      const items = byGroup(group);
      if (items.length > 0) result.push({ title: t(GROUP_TITLES[group]), items });
    }
    const hits = query.trim() !== '' && found.query === query.trim() ? found.hits : [];
    if (hits.length > 0) {
      result.push({
        title: t('palette.group.conversations'),
        items: hits.map((hit) => ({ kind: 'conversation' as const, key: `conversation:${hit.conversationId}`, hit })),
      });
    }
    return result;
  }, [commands, query, found, t]);
  const items = useMemo(() => groups.flatMap((group) => group.items), [groups]);
  const current = Math.min(active, Math.max(0, items.length - 1));

  useEffect(() => {
    list.current?.querySelector(`[data-index="${current}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  // Enter pressed before the palette showed: the best match, as if it had been there.
  const ranAhead = useRef(false);
  useEffect(() => {
    if (!ahead.enter || ranAhead.current) return;
    ranAhead.current = true;
    choose(items[0]);
  });

  function choose(item: Item | undefined): void {
    if (item === undefined) return;
    onClose();
    // After the dialog lets go of the focus, so the command can put it where it belongs.
    requestAnimationFrame(() => {
      if (item.kind === 'command') item.command.run();
      else onOpenConversation(item.hit.conversationId);
    });
  }

  let index = -1;
  return (
    <Box>
      <Box
        sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 2, py: 1.5, borderBottom: 1, borderColor: 'divider' }}
      >
        <SearchIcon color="action" />
        <InputBase
          autoFocus
          fullWidth
          value={query}
          placeholder={t('palette.placeholder')}
          onChange={(event) => {
            setQuery(event.target.value);
            setActive(0);
          }}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown') {
              event.preventDefault();
              setActive(items.length === 0 ? 0 : (current + 1) % items.length);
            } else if (event.key === 'ArrowUp') {
              event.preventDefault();
              setActive(items.length === 0 ? 0 : (current - 1 + items.length) % items.length);
            } else if (event.key === 'Home' && event.ctrlKey) {
              event.preventDefault();
              setActive(0);
            } else if (event.key === 'End' && event.ctrlKey) {
              event.preventDefault();
              setActive(items.length - 1);
            } else if (event.key === 'Enter') {
              event.preventDefault();
              choose(items[current]);
            }
          }}
          inputProps={{
            role: 'combobox',
            'aria-label': t('palette.label'),
            'aria-expanded': true,
            'aria-controls': `${id}-list`,
            'aria-autocomplete': 'list',
            'aria-activedescendant': items.length === 0 ? undefined : `${id}-option-${current}`,
            'data-testid': 'palette-input',
          }}
        />
        <ShortcutKeys shortcut="escape" size="tiny" />
      </Box>
      <Box
        ref={list}
        id={`${id}-list`}
        role="listbox"
        aria-label={t('palette.results')}
        sx={{ maxHeight: '55vh', overflowY: 'auto', py: 0.5 }}
      >
        {items.length === 0 ? (
          <Typography sx={{ px: 2, py: 2 }} color="text.secondary" role="presentation">
            {t('palette.empty')}
          </Typography>
        ) : null}
        {groups.map((group) => (
          <Box key={group.title} role="group" aria-label={group.title}>
            <Typography
              role="presentation"
              variant="caption"
              color="text.secondary"
              sx={{ display: 'block', px: 2, pt: 1, pb: 0.5, fontWeight: 600, textTransform: 'uppercase' }}
            >
              {group.title}
            </Typography>
            {group.items.map((item) => {
              index += 1;
              const position = index;
              const selected = position === current;
              return (
                <Box
                  key={item.key}
                  id={`${id}-option-${position}`}
                  role="option"
                  aria-selected={selected}
                  data-index={position}
                  data-testid="palette-option"
                  data-command={item.kind === 'command' ? item.command.id : undefined}
                  onMouseMove={() => {
                    if (!selected) setActive(position);
                  }}
                  onClick={() => choose(item)}
                  sx={{
                    display: 'flex',
                    alignItems: 'center',
                    gap: 1.5,
                    px: 2,
                    py: 0.9,
                    cursor: 'pointer',
                    bgcolor: selected ? 'action.selected' : 'transparent',
                    borderLeft: 3,
                    borderColor: selected ? 'primary.main' : 'transparent',
                  }}
                >
                  {item.kind === 'command' ? (
                    <>
                      <Typography sx={{ flex: 1 }}>{item.command.title}</Typography>
                      {item.command.shortcut !== undefined ? <ShortcutKeys shortcut={item.command.shortcut} /> : null}
                    </>
                  ) : (
                    <>
                      <ChannelBadge channel={item.hit.channel} />
                      <Typography sx={{ flex: 1 }}>{item.hit.contactName}</Typography>
                      <Typography variant="body2" color="text.secondary">
                        {t(`palette.status.${item.hit.status}` as 'palette.status.open')}
                      </Typography>
                    </>
                  )}
                </Box>
              );
            })}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
