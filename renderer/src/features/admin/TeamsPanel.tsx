import CancelIcon from '@mui/icons-material/Cancel';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { Agent, ChannelAccount, RoutingRule, Team } from '@parley/protocol';
import { useState, type FormEvent, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import { ChannelBadge } from '../../common/ui/ChannelBadge.js';
import { ConfirmDialog } from '../../common/ui/ConfirmDialog.js';
import type { ParleyDb } from '../../data/db.js';
import { useAgents, useChannelAccounts, useTeams } from '../../data/hooks.js';
import { createTeam, deleteTeam, setTeamMembers, updateTeam } from '../../platform/api.js';
import type { ServerAccess } from '../../platform/http.js';
import { refusalText } from './refusal.js';
import { fromMinutes, ruleKey, toMinutes } from './teamForm.js';

/** Teams: create, rename, members, inboxes, auto-assignment, grace, targets and rules. Read live from the cache. */
export function TeamsPanel({ db, access }: { db: ParleyDb; access: ServerAccess }): JSX.Element {
  const { t, lang } = useT();
  const teams = useTeams(db);
  const agents = useAgents(db);
  const accounts = useChannelAccounts(db);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const selected = teams?.find((team) => team.id === selectedId) ?? teams?.[0];

  function create(event: FormEvent): void {
    event.preventDefault();
    if (name.trim() === '') return;
    setError(null);
    createTeam(access, { name: name.trim() }).then(
      (team) => {
        setName('');
        setSelectedId(team.id);
      },
      (failure: unknown) => setError(t('admin.failed', { reason: refusalText(failure, lang) })),
    );
  }

  return (
    <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start' }} data-testid="admin-teams">
      <Paper variant="outlined" sx={{ width: 240, flexShrink: 0 }}>
        <Box component="form" onSubmit={create} sx={{ p: 1.5, display: 'flex', gap: 1 }}>
          <TextField
            size="small"
            label={t('admin.newTeam')}
            value={name}
            onChange={(event) => setName(event.target.value)}
            slotProps={{ htmlInput: { maxLength: 80, 'data-testid': 'team-new-name' } }}
          />
          <Button type="submit" variant="contained" size="small" disabled={name.trim() === ''}>
            {t('admin.createTeam')}
          </Button>
        </Box>
        {teams !== undefined && teams.length === 0 && (
          <Typography color="text.secondary" sx={{ px: 2, pb: 2 }}>
            {t('admin.noTeams')}
          </Typography>
        )}
        <List dense disablePadding aria-label={t('admin.teams')}>
          {(teams ?? []).map((team) => (
            <ListItemButton
              key={team.id}
              selected={team.id === selected?.id}
              onClick={() => setSelectedId(team.id)}
              data-testid="team-item"
            >
              <ListItemText
                primary={team.name}
                secondary={`${agents?.filter((agent) => agent.teamIds.includes(team.id)).length ?? 0} · ${team.channelAccountIds.length}`}
              />
            </ListItemButton>
          ))}
        </List>
      </Paper>
      <Box sx={{ flex: 1, minWidth: 0 }}>
        {error !== null && (
          <Alert severity="error" role="alert" onClose={() => setError(null)} sx={{ mb: 2 }}>
            {error}
          </Alert>
        )}
        {selected === undefined || agents === undefined ? (
          <Typography color="text.secondary">{t('admin.pickTeam')}</Typography>
        ) : (
          <TeamEditor
            // Starts again from the server's state when the team or its membership changes.
            key={`${selected.id}:${selected.seq}:${agents
              .filter((agent) => agent.teamIds.includes(selected.id))
              .map((agent) => agent.id)
              .sort()
              .join(',')}`}
            team={selected}
            teams={teams ?? []}
            agents={(agents ?? []).filter((agent) => agent.kind === 'person')}
            accounts={accounts ?? []}
            access={access}
            onDeleted={() => setSelectedId(null)}
          />
        )}
      </Box>
    </Box>
  );
}

function TeamEditor({
  team,
  teams,
  agents,
  accounts,
  access,
  onDeleted,
}: {
  team: Team;
  teams: readonly Team[];
  agents: readonly Agent[];
  accounts: readonly ChannelAccount[];
  access: ServerAccess;
  onDeleted: () => void;
}): JSX.Element {
  const { t, lang } = useT();
  const [name, setName] = useState(team.name);
  const [autoAssign, setAutoAssign] = useState(team.autoAssign);
  const [grace, setGrace] = useState(String(team.offlineGraceMinutes));
  const [firstResponse, setFirstResponse] = useState(toMinutes(team.firstResponseTargetSeconds));
  const [waiting, setWaiting] = useState(toMinutes(team.waitingTargetSeconds));
  const [inboxes, setInboxes] = useState<ReadonlySet<string>>(new Set(team.channelAccountIds));
  const [members, setMembers] = useState<ReadonlySet<string>>(
    new Set(agents.filter((agent) => agent.teamIds.includes(team.id)).map((agent) => agent.id)),
  );
  const [rules, setRules] = useState<RoutingRule[]>(team.rules);
  const [ruleKind, setRuleKind] = useState<RoutingRule['kind']>('keyword');
  const [ruleValue, setRuleValue] = useState('');
  const [status, setStatus] = useState<{ severity: 'success' | 'error'; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState<{ busy: boolean; error: string | null } | null>(null);

  function toggle(set: ReadonlySet<string>, id: string): Set<string> {
    const next = new Set(set);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  }

  function addRule(): void {
    const value = ruleValue.trim();
    if (value === '') return;
    const rule: RoutingRule =
      ruleKind === 'keyword'
        ? { kind: 'keyword', keyword: value }
        : { kind: 'language', language: value.toLowerCase() };
    if (rule.kind === 'language' && !/^[a-z]{2}$/.test(rule.language)) return;
    if (!rules.some((existing) => ruleKey(existing) === ruleKey(rule))) setRules([...rules, rule]);
    setRuleValue('');
  }

  async function save(): Promise<void> {
    setSaving(true);
    setStatus(null);
    try {
      await updateTeam(access, team.id, {
        name: name.trim(),
        autoAssign,
        offlineGraceMinutes: Math.max(0, Number.parseInt(grace, 10) || 0),
        firstResponseTargetSeconds: fromMinutes(firstResponse),
        waitingTargetSeconds: fromMinutes(waiting),
        channelAccountIds: [...inboxes],
        rules,
      });
      await setTeamMembers(access, team.id, [...members]);
      setStatus({ severity: 'success', text: t('admin.saved') });
    } catch (failure: unknown) {
      setStatus({ severity: 'error', text: t('admin.failed', { reason: refusalText(failure, lang) }) });
    } finally {
      setSaving(false);
    }
  }

  const ruleLabel = (rule: RoutingRule): string =>
    rule.kind === 'keyword'
      ? t('admin.rule.keywordChip', { keyword: rule.keyword })
      : t('admin.rule.languageChip', { language: rule.language });

  return (
    <Paper variant="outlined" sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 2 }} data-testid="team-editor">
      <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap', alignItems: 'center' }}>
        <TextField
          size="small"
          label={t('admin.teamName')}
          value={name}
          onChange={(event) => setName(event.target.value)}
          slotProps={{ htmlInput: { maxLength: 80, 'data-testid': 'team-name' } }}
        />
        <FormControlLabel
          control={<Switch checked={autoAssign} onChange={(event) => setAutoAssign(event.target.checked)} />}
          label={t('admin.autoAssign')}
        />
      </Box>
      <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap' }}>
        <TextField
          size="small"
          type="number"
          label={t('admin.firstResponseTarget')}
          value={firstResponse}
          onChange={(event) => setFirstResponse(event.target.value)}
          slotProps={{ htmlInput: { min: 0, step: 1 } }}
          sx={{ width: 230 }}
        />
        <TextField
          size="small"
          type="number"
          label={t('admin.waitingTarget')}
          value={waiting}
          onChange={(event) => setWaiting(event.target.value)}
          slotProps={{ htmlInput: { min: 0, step: 1 } }}
          sx={{ width: 200 }}
        />
        <TextField
          size="small"
          type="number"
          label={t('admin.offlineGrace')}
          value={grace}
          onChange={(event) => setGrace(event.target.value)}
          slotProps={{ htmlInput: { min: 0, max: 1440 } }}
          sx={{ width: 200 }}
        />
      </Box>
      <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 2 }}>
        <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
          <Typography component="legend" variant="subtitle2">
            {t('admin.members')}
          </Typography>
          <FormGroup>
            {agents.map((agent) => (
              <FormControlLabel
                key={agent.id}
                control={
                  <Checkbox
                    size="small"
                    checked={members.has(agent.id)}
                    onChange={() => setMembers(toggle(members, agent.id))}
                  />
                }
                label={`${agent.name} · ${t(`role.${agent.role}`)}`}
              />
            ))}
          </FormGroup>
        </Box>
        <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
          <Typography component="legend" variant="subtitle2">
            {t('admin.inboxes')}
          </Typography>
          {accounts.length === 0 && <Typography color="text.secondary">{t('admin.noInboxes')}</Typography>}
          <FormGroup>
            {accounts.map((account) => {
              const elsewhere = teams.find(
                (other) => other.id !== team.id && other.channelAccountIds.includes(account.id),
              );
              return (
                <FormControlLabel
                  key={account.id}
                  control={
                    <Checkbox
                      size="small"
                      checked={inboxes.has(account.id)}
                      onChange={() => setInboxes(toggle(inboxes, account.id))}
                    />
                  }
                  label={
                    <Box sx={{ display: 'flex', alignItems: 'center', gap: 0.75 }}>
                      <ChannelBadge channel={account.channel} />
                      {account.name}
                      {elsewhere !== undefined && !inboxes.has(account.id) && (
                        <Typography component="span" variant="caption" color="text.secondary">
                          {t('admin.inboxElsewhere', { team: elsewhere.name })}
                        </Typography>
                      )}
                    </Box>
                  }
                />
              );
            })}
          </FormGroup>
        </Box>
      </Box>
      <Box>
        <Typography variant="subtitle2">{t('admin.rules')}</Typography>
        <Typography variant="caption" color="text.secondary" component="p" sx={{ mb: 1 }}>
          {t('admin.rulesHint')}
        </Typography>
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mb: 1 }}>
          {rules.map((rule) => (
            <Chip
              key={ruleKey(rule)}
              size="small"
              label={ruleLabel(rule)}
              onDelete={() => setRules(rules.filter((existing) => ruleKey(existing) !== ruleKey(rule)))}
              data-testid="rule-chip"
              deleteIcon={<CancelIcon titleAccess={t('admin.rule.remove', { rule: ruleLabel(rule) })} />}
            />
          ))}
        </Box>
        <Box sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
          <TextField
            select
            size="small"
            label={t('admin.rule.kind')}
            value={ruleKind}
            onChange={(event) => setRuleKind(event.target.value === 'language' ? 'language' : 'keyword')}
            sx={{ width: 180 }}
          >
            <MenuItem value="keyword">{t('admin.rule.keyword')}</MenuItem>
            <MenuItem value="language">{t('admin.rule.language')}</MenuItem>
          </TextField>
          <TextField
            size="small"
            label={t('admin.rule.value')}
            value={ruleValue}
            onChange={(event) => setRuleValue(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                addRule();
              }
            }}
            slotProps={{ htmlInput: { maxLength: ruleKind === 'language' ? 2 : 100 } }}
          />
          <Button size="small" onClick={addRule}>
            {t('admin.rule.add')}
          </Button>
        </Box>
      </Box>
      {status !== null && (
        <Alert severity={status.severity} role={status.severity === 'error' ? 'alert' : 'status'}>
          {status.text}
        </Alert>
      )}
      <Box sx={{ display: 'flex', gap: 1 }}>
        <Button
          variant="contained"
          onClick={() => void save()}
          disabled={saving || name.trim() === ''}
          data-testid="team-save"
        >
          {t('admin.save')}
        </Button>
        <Box sx={{ flex: 1 }} />
        <Button color="error" onClick={() => setConfirmDelete({ busy: false, error: null })}>
          {t('admin.delete')}
        </Button>
      </Box>
      <ConfirmDialog
        open={confirmDelete !== null}
        title={t('admin.deleteTeamTitle', { name: team.name })}
        body={t('admin.deleteTeamBody')}
        confirmLabel={t('admin.delete')}
        busy={confirmDelete?.busy ?? false}
        error={confirmDelete?.error ?? null}
        onCancel={() => setConfirmDelete(null)}
        onConfirm={() => {
          setConfirmDelete({ busy: true, error: null });
          deleteTeam(access, team.id).then(
            () => {
              setConfirmDelete(null);
              onDeleted();
            },
            (failure: unknown) => setConfirmDelete({ busy: false, error: refusalText(failure, lang) }),
          );
        }}
      />
    </Paper>
  );
}
