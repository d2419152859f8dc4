import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Typography from '@mui/material/Typography';
import type { Agent } from '@parley/protocol';
import { useState, type JSX } from 'react';
import { duration, useT } from '../../common/i18n/index.js';
import { carriesConversations, readDragged } from './dragData.js';
import { PresenceDot } from './PresenceDot.js';
import type { Load } from './queue.js';

/**
 * The agents of the chosen teams: presence, load against capacity and today's median
 * first response. Each is a drop target for queue rows; the queue's "Assign to…" menu is
 * the same action for the keyboard.
 */
export function AgentsPanel({
  agents,
  loads,
  medians,
  onDrop,
}: {
  agents: readonly Agent[];
  loads: ReadonlyMap<string, Load>;
  /** Seconds by agent id; null (or missing) when unknown, and the whole map null when the server refused. */
  medians: ReadonlyMap<string, number | null> | null;
  onDrop: (conversationIds: string[], agent: Agent) => void;
}): JSX.Element {
  const { t } = useT();
  const [over, setOver] = useState<string | null>(null);
  if (agents.length === 0) {
    return (
      <Typography color="text.secondary" sx={{ p: 2 }}>
        {t('supervisor.agentsEmpty')}
      </Typography>
    );
  }
  return (
    <List dense disablePadding aria-label={t('supervisor.agents')} data-testid="agents-panel">
      {agents.map((agent) => (
        <AgentRow
          key={agent.id}
          agent={agent}
          load={loads.get(agent.id) ?? { open: 0, capacity: agent.capacity, share: 0, full: agent.capacity <= 0 }}
          median={medians === null ? null : (medians.get(agent.id) ?? null)}
          over={over === agent.id}
          onOver={(inside) => setOver((current) => (inside ? agent.id : current === agent.id ? null : current))}
          onDrop={(ids) => {
            setOver(null);
            if (ids.length > 0) onDrop(ids, agent);
          }}
        />
      ))}
    </List>
  );
}

function AgentRow({
  agent,
  load,
  median,
  over: isOver,
  onOver,
  onDrop: dropped,
}: {
  agent: Agent;
  load: Load;
  median: number | null;
  over: boolean;
  onOver: (inside: boolean) => void;
  onDrop: (ids: string[]) => void;
}): JSX.Element {
  const { t, lang } = useT();
  const loadWords = t('supervisor.loadLabel', { open: load.open, capacity: load.capacity });
  const medianText = median === null ? t('supervisor.noValue') : duration(median * 1000, lang);
  return (
    <ListItem
      divider
      data-testid="agent-row"
      data-agent-id={agent.id}
      data-drop-over={isOver}
      aria-label={t('supervisor.agentItem', {
        name: agent.name,
        presence: t(`presence.${agent.presence}`),
        load: loadWords,
      })}
      onDragOver={(event) => {
        if (!carriesConversations(event.dataTransfer)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        if (!isOver) onOver(true);
      }}
      onDragLeave={() => onOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        dropped(readDragged(event.dataTransfer));
      }}
      sx={{
        display: 'block',
        py: 1,
        outline: isOver ? 2 : 0,
        outlineColor: 'primary.main',
        outlineStyle: 'dashed',
        outlineOffset: -3,
        bgcolor: isOver ? 'action.selected' : undefined,
      }}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <Typography variant="body2" sx={{ fontWeight: 600, flex: 1 }} noWrap data-testid="agent-name">
          {agent.name}
        </Typography>
        <PresenceDot presence={agent.presence} />
      </Box>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mt: 0.5 }}>
        <LinearProgress
          variant="determinate"
          value={load.share * 100}
          color={load.full ? 'warning' : 'primary'}
          aria-label={loadWords}
          sx={{ flex: 1, height: 6, borderRadius: 3 }}
        />
        <Typography
          variant="caption"
          sx={{ fontVariantNumeric: 'tabular-nums', minWidth: 40, textAlign: 'right', fontWeight: 600 }}
          data-testid="agent-load"
        >
          {t('supervisor.load', { open: load.open, capacity: load.capacity })}
        </Typography>
        {load.full && (
          <Typography variant="caption" color="warning.main" sx={{ fontWeight: 600 }}>
            {t('supervisor.full')}
          </Typography>
        )}
      </Box>
      <Typography
        variant="caption"
        color="text.secondary"
        data-testid="agent-median"
        title={t('supervisor.medianToday', { time: medianText })}
      >
        {t('supervisor.medianToday', { time: medianText })}
      </Typography>
    </ListItem>
  );
}
