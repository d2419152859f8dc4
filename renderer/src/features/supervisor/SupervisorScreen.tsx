import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Snackbar from '@mui/material/Snackbar';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { Agent, Mutation, MutationResult } from '@parley/protocol';
import { useMemo, useState, type JSX } from 'react';
import { newClientId } from '../../common/clientId.js';
import { failureText } from '../../common/i18n/failures.js';
import { useT } from '../../common/i18n/index.js';
import { useNow } from '../../common/useNow.js';
import type { ParleyDb } from '../../data/db.js';
import { useAgents, useContacts, useTeams, useUnresolvedConversations } from '../../data/hooks.js';
import { resolveContact } from '../../domain/contacts.js';
import type { ServerAccess } from '../../platform/http.js';
import { AgentsPanel } from './AgentsPanel.js';
import { AssignDialog } from './AssignDialog.js';
import { MetricsPanel } from './MetricsPanel.js';
import { loadOf, teamAgents, waitingQueue, type Load } from './queue.js';
import { QueuePanel } from './QueuePanel.js';
import { useAgentsToday } from './useAgentsToday.js';

type Notice = { severity: 'success' | 'error'; text: string };

/**
 * The supervisor's live view, read from the local cache: the queue of the chosen teams with
 * its timers, the agents with their presence and load, and the last two weeks' metrics.
 * Assigning sends one `conversation.assign` mutation a conversation; the cache follows
 * when the server's changes come back.
 */
export function SupervisorScreen({
  db,
  me,
  access,
  mutate,
  onOpen,
}: {
  db: ParleyDb;
  me: Agent;
  access: ServerAccess;
  mutate: (mutation: Mutation) => Promise<MutationResult>;
  /** Opens a conversation in the inbox. */
  onOpen: (conversationId: string) => void;
}): JSX.Element {
  const { t, tn, lang } = useT();
  const conversations = useUnresolvedConversations(db);
  const agents = useAgents(db);
  const teams = useTeams(db);
  const contacts = useContacts(db);
  const medians = useAgentsToday(access);
  // Timers tick each second; they are not announced (see SlaTimer).
  const now = useNow(1000);
  // A supervisor starts on their own teams; an admin on every team. Empty means all.
  const [teamFilter, setTeamFilter] = useState<string[] | null>(null);
  // Only teams the cache knows can be chosen (and named); none known means every team.
  const chosen = useMemo(
    () =>
      teamFilter ??
      (me.role === 'admin' ? [] : me.teamIds.filter((id) => (teams ?? []).some((team) => team.id === id))),
    [teamFilter, me, teams],
  );
  const chosenSet = useMemo(() => new Set(chosen), [chosen]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);

  const rows = useMemo(
    () => waitingQueue(conversations ?? [], teams ?? [], chosenSet, now),
    [conversations, teams, chosenSet, now],
  );
  const people = useMemo(() => teamAgents(agents ?? [], chosenSet), [agents, chosenSet]);
  const loads = useMemo(() => {
    const map = new Map<string, Load>();
    for (const agent of agents ?? []) map.set(agent.id, loadOf(agent.id, conversations ?? [], agent.capacity));
    return map;
  }, [agents, conversations]);
  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const row of rows) {
      const contact = contacts === undefined ? undefined : resolveContact(contacts, row.conversation.contactId);
      map.set(row.conversation.id, contact?.name ?? '');
    }
    return map;
  }, [rows, contacts]);
  const waitingIds = new Set(rows.map((row) => row.conversation.id));
  const selectedWaiting = [...selected].filter((id) => waitingIds.has(id));

  async function assign(conversationIds: string[], agent: Agent, note: string | null): Promise<void> {
    setNotice(null);
    setBusy((current) => new Set([...current, ...conversationIds]));
    const results = await Promise.all(
      conversationIds.map((conversationId) =>
        mutate({
          type: 'conversation.assign',
          clientId: newClientId(),
          conversationId,
          assigneeId: agent.id,
          ...(note === null ? {} : { note }),
        }),
      ),
    );
    setBusy((current) => new Set([...current].filter((id) => !conversationIds.includes(id))));
    const failed = results.flatMap((result) => (result.ok ? [] : [result]));
    const done = conversationIds.filter((_, index) => results[index]?.ok === true);
    setSelected((current) => new Set([...current].filter((id) => !done.includes(id))));
    const first = failed[0];
    setNotice(
      first === undefined
        ? { severity: 'success', text: t('supervisor.assigned', { name: agent.name }) }
        : {
            severity: 'error',
            text: tn('supervisor.assignFailed', failed.length, { reason: failureText(first, lang) }),
          },
    );
  }

  const teamName = (id: string): string => teams?.find((team) => team.id === id)?.name ?? id;

  return (
    <Box sx={{ flex: 1, display: 'flex', minHeight: 0 }} data-testid="supervisor-screen">
      <Box sx={{ flex: 1, display: 'flex', flexDirection: 'column', minWidth: 0, overflowY: 'auto' }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, px: 2, pt: 1.5, pb: 1, flexWrap: 'wrap' }}>
          <Typography variant="h6" component="h1" sx={{ fontWeight: 700 }}>
            {t('supervisor.queue')}
          </Typography>
          <Chip size="small" label={tn('supervisor.queueCount', rows.length)} data-testid="queue-count" />
          <Box sx={{ flex: 1 }} />
          {selectedWaiting.length > 0 && (
            <Button
              size="small"
              variant="contained"
              onClick={() => setDialog(true)}
              data-testid="assign-selected"
              sx={{ textTransform: 'none' }}
            >
              {tn('supervisor.assignSelected', selectedWaiting.length)}
            </Button>
          )}
          <TextField
            select
            size="small"
            label={t('supervisor.teams')}
            value={chosen}
            onChange={(event) => {
              const value = event.target.value as unknown;
              setTeamFilter(Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : []);
            }}
            slotProps={{
              select: {
                multiple: true,
                displayEmpty: true,
                renderValue: (value) =>
                  Array.isArray(value) && value.length > 0
                    ? value.map((id) => teamName(String(id))).join(', ')
                    : t('supervisor.allTeams'),
              },
              inputLabel: { shrink: true },
              htmlInput: { 'data-testid': 'team-filter' },
            }}
            sx={{ minWidth: 200, maxWidth: 320 }}
          >
            {(teams ?? []).map((team) => (
              <MenuItem key={team.id} value={team.id}>
                {team.name}
              </MenuItem>
            ))}
          </TextField>
        </Box>
        <Typography variant="caption" color="text.secondary" sx={{ px: 2, pb: 1 }}>
          {t('supervisor.dragHint')}
        </Typography>
        <Paper square elevation={0} sx={{ borderTop: 1, borderBottom: 1, borderColor: 'divider' }}>
          <QueuePanel
            rows={rows}
            names={names}
            agents={people}
            loads={loads}
            selected={selected}
            busy={busy}
            onToggle={(id) =>
              setSelected((current) => {
                const next = new Set(current);
                if (next.has(id)) next.delete(id);
                else next.add(id);
                return next;
              })
            }
            onToggleAll={(select) => setSelected(select ? new Set(waitingIds) : new Set())}
            onAssign={(ids, agent) => void assign(ids, agent, null)}
            onOpen={onOpen}
          />
        </Paper>
        <MetricsPanel access={access} teamId={chosen.length === 1 ? chosen[0] : undefined} />
      </Box>
      <Divider orientation="vertical" flexItem />
      <Paper square elevation={0} sx={{ width: 300, flexShrink: 0, overflowY: 'auto' }}>
        <Typography variant="overline" color="text.secondary" sx={{ px: 2, pt: 1.5, display: 'block' }}>
          {t('supervisor.agents')}
        </Typography>
        <AgentsPanel
          agents={people}
          loads={loads}
          medians={medians}
          onDrop={(ids, agent) => void assign(ids, agent, null)}
        />
      </Paper>
      {dialog && (
        <AssignDialog
          count={selectedWaiting.length}
          agents={people}
          loads={loads}
          onClose={() => setDialog(false)}
          onAssign={(agent, note) => {
            setDialog(false);
            void assign(selectedWaiting, agent, note);
          }}
        />
      )}
      <Snackbar
        open={notice !== null}
        autoHideDuration={notice?.severity === 'success' ? 4000 : null}
        onClose={(_, reason) => {
          if (reason !== 'clickaway') setNotice(null);
        }}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
      >
        <Alert
          severity={notice?.severity ?? 'success'}
          variant="filled"
          onClose={() => setNotice(null)}
          role={notice?.severity === 'error' ? 'alert' : 'status'}
          data-testid="assign-notice"
        >
          {notice?.text ?? ''}
        </Alert>
      </Snackbar>
    </Box>
  );
}
