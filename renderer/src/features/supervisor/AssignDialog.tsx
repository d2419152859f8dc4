import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import type { Agent } from '@parley/protocol';
import { useState, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import type { Load } from './queue.js';

/** Assigns the selected conversations to one agent, with an optional note for them. */
export function AssignDialog({
  count,
  agents,
  loads,
  onAssign,
  onClose,
}: {
  count: number;
  agents: readonly Agent[];
  loads: ReadonlyMap<string, Load>;
  onAssign: (agent: Agent, note: string | null) => void;
  onClose: () => void;
}): JSX.Element {
  const { t, tn } = useT();
  const [agentId, setAgentId] = useState(agents[0]?.id ?? '');
  const [note, setNote] = useState('');
  const agent = agents.find((candidate) => candidate.id === agentId);
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="xs" aria-labelledby="assign-title" data-testid="assign-dialog">
      <DialogTitle id="assign-title">{tn('supervisor.assignDialog', count)}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: '8px !important' }}>
        <TextField
          select
          size="small"
          label={t('supervisor.assignee')}
          value={agentId}
          onChange={(event) => setAgentId(event.target.value)}
          slotProps={{ htmlInput: { 'data-testid': 'assign-agent' } }}
        >
          {agents.map((candidate) => {
            const load = loads.get(candidate.id);
            return (
              <MenuItem key={candidate.id} value={candidate.id}>
                {candidate.name} · {t(`presence.${candidate.presence}`)}
                {load === undefined ? '' : ` · ${t('supervisor.load', { open: load.open, capacity: load.capacity })}`}
              </MenuItem>
            );
          })}
        </TextField>
        <TextField
          size="small"
          label={t('supervisor.note')}
          value={note}
          onChange={(event) => setNote(event.target.value)}
          multiline
          minRows={2}
          slotProps={{ htmlInput: { maxLength: 500, 'data-testid': 'assign-note' } }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button
          variant="contained"
          disabled={agent === undefined}
          onClick={() => {
            if (agent !== undefined) onAssign(agent, note.trim() === '' ? null : note.trim());
          }}
          data-testid="assign-confirm"
        >
          {t('supervisor.assign')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
