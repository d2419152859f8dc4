import CancelIcon from '@mui/icons-material/Cancel';
import LabelOutlinedIcon from '@mui/icons-material/LabelOutlined';
import MarkChatUnreadOutlinedIcon from '@mui/icons-material/MarkChatUnreadOutlined';
import PersonOutlineIcon from '@mui/icons-material/PersonOutlineOutlined';
import SnoozeIcon from '@mui/icons-material/Snooze';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import InputBase from '@mui/material/InputBase';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Tooltip from '@mui/material/Tooltip';
import type { ConversationStatus } from '@parley/protocol';
import { useState, type JSX, type ReactNode } from 'react';
import { dateTime, useT } from '../../../common/i18n/index.js';
import { ariaKeyShortcuts, ShortcutKeys } from '../../palette/index.js';
import { ACTION_SHORTCUTS } from './actionCommands.js';
import { useConversationActions } from './ConversationActions.js';
import { AssignPicker } from './Pickers.js';

const STATUSES: readonly ConversationStatus[] = ['open', 'pending', 'resolved'];

const STATUS_SHORTCUT: Record<string, string> = {
  open: ACTION_SHORTCUTS.reopen,
  pending: ACTION_SHORTCUTS.pending,
  resolved: ACTION_SHORTCUTS.resolve,
};

/** A tooltip that names the action and shows its keys. */
function Hint({ title, shortcut, children }: { title: string; shortcut: string; children: JSX.Element }): JSX.Element {
  const content: ReactNode = (
    <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 1 }}>
      {title}
      <ShortcutKeys shortcut={shortcut} size="tiny" />
    </Box>
  );
  return <Tooltip title={content}>{children}</Tooltip>;
}

/** An icon button that opens one of the frame's pickers (snooze, label) beside itself. */
function PickerButton({
  actions,
  picker,
  title,
  icon,
  testId,
}: {
  actions: NonNullable<ReturnType<typeof useConversationActions>>;
  picker: 'snooze' | 'label';
  title: string;
  icon: JSX.Element;
  testId: string;
}): JSX.Element {
  return (
    <Hint title={title} shortcut={ACTION_SHORTCUTS[picker]}>
      <IconButton
        size="small"
        ref={(element: HTMLButtonElement | null) => actions.registerAnchor(picker, element)}
        onClick={(event) => actions.openPicker(picker, event.currentTarget)}
        aria-label={title}
        aria-haspopup="menu"
        aria-keyshortcuts={ariaKeyShortcuts(ACTION_SHORTCUTS[picker])}
        data-testid={testId}
      >
        {icon}
      </IconButton>
    </Hint>
  );
}

/**
 * Who has the conversation, where it stands, until when it sleeps, and its labels. Each
 * change is one callback, which the container turns into an outbox mutation (so it works
 * offline too); snoozing, marking unread and the pickers come from the frame's actions.
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
  const { t, lang } = useT();
  const actions = useConversationActions();
  const [menu, setMenu] = useState<HTMLElement | null>(null);
  const [draft, setDraft] = useState('');
  const assignee = agents.find((agent) => agent.id === assigneeId);
  const assigneeLabel =
    assigneeId === null
      ? t('actions.unassigned')
      : assigneeId === myId
        ? t('actions.assignedToMe')
        : t('actions.assignedTo', { name: assignee?.name ?? t('actions.someone') });
  const snoozedUntil = status === 'snoozed' ? (actions?.conversation?.snoozedUntil ?? null) : null;

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
      <Hint title={t('actions.assign')} shortcut={ACTION_SHORTCUTS.assign}>
        <Button
          size="small"
          variant="outlined"
          startIcon={<PersonOutlineIcon />}
          ref={(element: HTMLButtonElement | null) => actions?.registerAnchor('assign', element)}
          onClick={(event) =>
            actions === null ? setMenu(event.currentTarget) : actions.openPicker('assign', event.currentTarget)
          }
          aria-haspopup="menu"
          aria-keyshortcuts={ariaKeyShortcuts(ACTION_SHORTCUTS.assign)}
          sx={{ textTransform: 'none' }}
          data-testid="assignee-button"
          data-assignee={assigneeId ?? ''}
        >
          {assigneeLabel}
        </Button>
      </Hint>
      {menu !== null ? (
        <AssignPicker
          anchor={menu}
          assigneeId={assigneeId}
          myId={myId}
          colleagues={agents.filter((agent) => agent.id !== myId)}
          onAssign={(id) => {
            setMenu(null);
            if (id !== assigneeId) onAssign(id);
          }}
          onClose={() => setMenu(null)}
        />
      ) : null}
      <ToggleButtonGroup
        size="small"
        exclusive
        value={status}
        onChange={(_, next: ConversationStatus | null) => {
          if (next !== null && next !== status) onStatus(next);
        }}
        aria-label={t('actions.status')}
        data-testid="status-toggle"
        data-status={status}
      >
        {STATUSES.map((option) => (
          <ToggleButton
            key={option}
            value={option}
            sx={{ py: 0.25, px: 1.25, textTransform: 'none' }}
            aria-keyshortcuts={ariaKeyShortcuts(STATUS_SHORTCUT[option] ?? '')}
          >
            <Hint
              title={t(`actions.setStatus.${option}` as 'actions.setStatus.open')}
              shortcut={STATUS_SHORTCUT[option] ?? ''}
            >
              <span>{t(`actions.status.${option}` as 'actions.status.open')}</span>
            </Hint>
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      {actions !== null ? (
        snoozedUntil !== null ? (
          <Chip
            icon={<SnoozeIcon />}
            size="small"
            color="warning"
            variant="outlined"
            label={t('actions.snoozedUntil', { time: dateTime(snoozedUntil, lang) })}
            onDelete={() => actions.setStatus('open')}
            deleteIcon={
              <Hint title={t('actions.unsnooze')} shortcut={ACTION_SHORTCUTS.reopen}>
                <CancelIcon titleAccess={t('actions.unsnooze')} />
              </Hint>
            }
            data-testid="snoozed-until"
            data-until={snoozedUntil}
          />
        ) : null
      ) : null}
      {actions !== null ? (
        <PickerButton
          actions={actions}
          picker="snooze"
          title={t('actions.snooze')}
          icon={<SnoozeIcon fontSize="small" />}
          testId="snooze-button"
        />
      ) : null}
      {actions !== null ? (
        <Hint title={t('actions.markUnread')} shortcut={ACTION_SHORTCUTS.markUnread}>
          <IconButton
            size="small"
            onClick={() => actions.markUnread()}
            aria-label={t('actions.markUnread')}
            aria-keyshortcuts={ariaKeyShortcuts(ACTION_SHORTCUTS.markUnread)}
            data-testid="mark-unread-button"
          >
            <MarkChatUnreadOutlinedIcon fontSize="small" />
          </IconButton>
        </Hint>
      ) : null}
      {labels.map((label) => (
        <Chip
          key={label}
          label={label}
          size="small"
          onDelete={() => onRemoveLabel(label)}
          deleteIcon={<CancelIcon titleAccess={t('actions.removeLabel', { label })} />}
          data-testid="label-chip"
        />
      ))}
      {actions !== null ? (
        <PickerButton
          actions={actions}
          picker="label"
          title={t('actions.label')}
          icon={<LabelOutlinedIcon fontSize="small" />}
          testId="label-button"
        />
      ) : null}
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
        placeholder={t('actions.addLabel')}
        inputProps={{ 'aria-label': t('actions.addLabel'), maxLength: 50, 'data-testid': 'label-input' }}
        sx={{ fontSize: 13, minWidth: 110, flex: '0 1 160px' }}
      />
    </Box>
  );
}
