import CancelIcon from '@mui/icons-material/Cancel';
import PersonOutlineIcon from '@mui/icons-material/PersonOutlineOutlined';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import InputBase from '@mui/material/InputBase';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import type { ConversationStatus } from '@parley/protocol';
import { useState, type JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';

const STATUSES: readonly ConversationStatus[] = ['open', 'pending', 'resolved'];

/**
 * Who has the conversation, where it stands, and its labels: each change is one callback,
 * which the container turns into an outbox mutation (so it works offline too).
 */
export function ConversationControls({
  status,
  assigneeId,
  agents,
  myId,
  labels,
  onAssign,
  onStatus,
  onAddLabel,
  onRemoveLabel,
}: {
  status: ConversationStatus;
  assigneeId: string | null;
  agents: readonly { id: string; name: string }[];
  myId: string;
  labels: readonly string[];
  onAssign: (assigneeId: string | null) => void;
  onStatus: (status: ConversationStatus) => void;
  onAddLabel: (label: string) => void;
  onRemoveLabel: (label: string) => void;
}): JSX.Element {
  const { t } = useT();
  const [menu, setMenu] = useState<HTMLElement | null>(null);
  const [draft, setDraft] = useState('');
  const assignee = agents.find((agent) => agent.id === assigneeId);
  const assigneeLabel =
    assigneeId === null
      ? t('conversation.unassigned')
      : assigneeId === myId
        ? t('conversation.assignedToMe')
        : t('conversation.assignedTo', { name: assignee?.name ?? t('conversation.someone') });

  function choose(id: string | null): void {
    setMenu(null);
    if (id !== assigneeId) onAssign(id);
  }

  function addLabel(): void {
    const label = draft.trim();
    setDraft('');
    if (label !== '' && !labels.includes(label)) onAddLabel(label);
  }

  return (
    <Box
      sx={{
        px: 2,
        pb: 1,
        display: 'flex',
        alignItems: 'center',
        gap: 1,
        flexWrap: 'wrap',
        bgcolor: 'background.paper',
      }}
      data-testid="conversation-controls"
    >
      <Button
        size="small"
        variant="outlined"
        startIcon={<PersonOutlineIcon />}
        onClick={(event) => setMenu(event.currentTarget)}
        aria-haspopup="menu"
        sx={{ textTransform: 'none' }}
        data-testid="assignee-button"
        data-assignee={assigneeId ?? ''}
      >
        {assigneeLabel}
      </Button>
      <Menu anchorEl={menu} open={menu !== null} onClose={() => setMenu(null)}>
        {assigneeId !== myId && <MenuItem onClick={() => choose(myId)}>{t('conversation.assignToMe')}</MenuItem>}
        {assigneeId !== null && <MenuItem onClick={() => choose(null)}>{t('conversation.unassign')}</MenuItem>}
        <Divider />
        {agents
          .filter((agent) => agent.id !== myId && agent.id !== assigneeId)
          .map((agent) => (
            <MenuItem key={agent.id} onClick={() => choose(agent.id)}>
              {t('conversation.assignTo', { name: agent.name })}
            </MenuItem>
          ))}
      </Menu>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={status}
        onChange={(_, next: ConversationStatus | null) => {
          if (next !== null && next !== status) onStatus(next);
        }}
        aria-label={t('conversation.status')}
        data-testid="status-toggle"
        data-status={status}
      >
        {STATUSES.map((option) => (
          <ToggleButton key={option} value={option} sx={{ py: 0.25, px: 1.25, textTransform: 'none' }}>
            {t(`conversation.status.${option}`)}
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      {labels.map((label) => (
        <Chip
          key={label}
          label={label}
          size="small"
          onDelete={() => onRemoveLabel(label)}
          deleteIcon={<CancelIcon titleAccess={t('conversation.removeLabel', { label })} />}
          data-testid="label-chip"
        />
      ))}
      <InputBase
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            addLabel();
          }
        }}
        onBlur={addLabel}
        placeholder={t('conversation.addLabel')}
        inputProps={{ 'aria-label': t('conversation.addLabel'), maxLength: 50, 'data-testid': 'label-input' }}
        sx={{ fontSize: 13, minWidth: 110, flex: '0 1 160px' }}
      />
    </Box>
  );
}
