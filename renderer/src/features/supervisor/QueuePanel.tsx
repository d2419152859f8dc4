import DragIndicatorIcon from '@mui/icons-material/DragIndicator';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Link from '@mui/material/Link';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { Agent } from '@parley/protocol';
import { useState, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import { ChannelBadge } from '../../common/ui/ChannelBadge.js';
import { writeDragged } from './dragData.js';
import { PresenceDot } from './PresenceDot.js';
import type { Load, QueueRow } from './queue.js';
import { SlaTimer } from './SlaTimer.js';

/**
 * The waiting conversations, the longest wait first. A row can be dragged onto an agent
 * (the selected rows travel together when it is one of them), or assigned from its
 * "Assign to…" menu with the keyboard.
 */
export function QueuePanel({
  rows,
  names,
  agents,
  loads,
  selected,
  busy,
  onToggle,
  onToggleAll,
  onAssign,
  onOpen,
}: {
  rows: readonly QueueRow[];
  /** Customers' names by conversation id. */
  names: ReadonlyMap<string, string>;
  agents: readonly Agent[];
  loads: ReadonlyMap<string, Load>;
  selected: ReadonlySet<string>;
  /** Conversations being assigned right now. */
  busy: ReadonlySet<string>;
  onToggle: (conversationId: string) => void;
  onToggleAll: (select: boolean) => void;
  onAssign: (conversationIds: string[], agent: Agent) => void;
  /** Opens the conversation in the inbox. */
  onOpen: (conversationId: string) => void;
}): JSX.Element {
  const { t } = useT();
  const [menu, setMenu] = useState<{ anchor: HTMLElement; conversationId: string } | null>(null);
  const allSelected = rows.length > 0 && rows.every((row) => selected.has(row.conversation.id));
  const someSelected = rows.some((row) => selected.has(row.conversation.id));

  if (rows.length === 0) {
    return (
      <Typography color="text.secondary" sx={{ p: 3 }} data-testid="queue-empty">
        {t('supervisor.queueEmpty')}
      </Typography>
    );
  }
  return (
    <>
      <Table size="small" stickyHeader aria-label={t('supervisor.queue')} data-testid="queue">
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox">
              <Checkbox
                size="small"
                checked={allSelected}
                indeterminate={someSelected && !allSelected}
                onChange={(event) => onToggleAll(event.target.checked)}
                slotProps={{ input: { 'aria-label': t('supervisor.selectAll') } }}
              />
            </TableCell>
            <TableCell>{t('supervisor.customer')}</TableCell>
            <TableCell>{t('supervisor.team')}</TableCell>
            <TableCell>{t('supervisor.waiting')}</TableCell>
            <TableCell>{t('supervisor.firstResponse')}</TableCell>
            <TableCell align="right" />
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => {
            const id = row.conversation.id;
            const name = names.get(id) ?? '';
            const breached = row.waiting === 'breached' || row.firstResponse === 'breached';
            return (
              <TableRow
                key={id}
                hover
                selected={selected.has(id)}
                draggable={!busy.has(id)}
                onDragStart={(event) => {
                  const ids = selected.has(id)
                    ? rows.map((r) => r.conversation.id).filter((r) => selected.has(r))
                    : [id];
                  writeDragged(event.dataTransfer, ids);
                }}
                data-testid="queue-row"
                data-conversation-id={id}
                data-breached={breached}
                sx={{
                  cursor: 'grab',
                  opacity: busy.has(id) ? 0.5 : 1,
                  // A breach shows at the row's edge too, besides the timer's icon and words.
                  boxShadow: breached ? (theme) => `inset 3px 0 0 ${theme.palette.error.main}` : undefined,
                }}
              >
                <TableCell padding="checkbox">
                  <Checkbox
                    size="small"
                    checked={selected.has(id)}
                    onChange={() => onToggle(id)}
                    slotProps={{ input: { 'aria-label': t('supervisor.select', { name }) } }}
                  />
                </TableCell>
                <TableCell sx={{ maxWidth: 220 }}>
                  <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, minWidth: 0 }}>
                    <DragIndicatorIcon fontSize="small" sx={{ color: 'text.disabled' }} aria-hidden />
                    <ChannelBadge channel={row.conversation.channel} />
                    <Link
                      component="button"
                      variant="body2"
                      color="inherit"
                      underline="hover"
                      noWrap
                      onClick={() => onOpen(id)}
                      sx={{ fontWeight: 600, textAlign: 'left' }}
                      data-testid="queue-customer"
                    >
                      {name}
                    </Link>
                  </Box>
                </TableCell>
                <TableCell>
                  <Typography variant="body2" color="text.secondary" noWrap>
                    {row.team?.name ??
                      // A team this device has not synced yet is not named "no team".
                      (row.conversation.teamId === null ? t('supervisor.noTeam') : t('supervisor.noValue'))}
                  </Typography>
                </TableCell>
                <TableCell>
                  <SlaTimer
                    elapsedMs={row.waitingMs}
                    state={row.waiting}
                    targetSeconds={row.team?.waitingTargetSeconds}
                    testId="waiting-timer"
                  />
                </TableCell>
                <TableCell>
                  {row.firstResponseMs === null ? (
                    <Typography variant="body2" color="text.secondary">
                      {t('supervisor.answered')}
                    </Typography>
                  ) : (
                    <SlaTimer
                      elapsedMs={row.firstResponseMs}
                      state={row.firstResponse}
                      targetSeconds={row.team?.firstResponseTargetSeconds}
                      testId="first-response-timer"
                    />
                  )}
                </TableCell>
                <TableCell align="right">
                  <Button
                    size="small"
                    variant="text"
                    disabled={busy.has(id)}
                    aria-haspopup="menu"
                    aria-label={t('supervisor.assignToName', { name })}
                    onClick={(event) => setMenu({ anchor: event.currentTarget, conversationId: id })}
                    data-testid="assign-menu-button"
                    sx={{ textTransform: 'none', whiteSpace: 'nowrap' }}
                  >
                    {t('supervisor.assignTo')}
                  </Button>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <Menu anchorEl={menu?.anchor ?? null} open={menu !== null} onClose={() => setMenu(null)}>
        {agents.map((agent) => {
          const load = loads.get(agent.id);
          return (
            <MenuItem
              key={agent.id}
              onClick={() => {
                if (menu !== null) onAssign([menu.conversationId], agent);
                setMenu(null);
              }}
              data-testid="assign-menu-agent"
              sx={{ gap: 1.5, minWidth: 240 }}
            >
              <PresenceDot presence={agent.presence} showWord={false} />
              <Box sx={{ flex: 1 }}>{agent.name}</Box>
              <Typography variant="caption" color="text.secondary">
                {t(`presence.${agent.presence}`)}
                {load === undefined ? '' : ` · ${t('supervisor.load', { open: load.open, capacity: load.capacity })}`}
              </Typography>
            </MenuItem>
          );
        })}
      </Menu>
    </>
  );
}
