import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { AgentRoleSchema, type Agent, type AgentRole } from '@parley/protocol';
import { useCallback, useEffect, useState, type FormEvent, type JSX } from 'react';
import { dateTime, useT } from '../../common/i18n/index.js';
import { ConfirmDialog } from '../../common/ui/ConfirmDialog.js';
import { fetchUsers, inviteLink, inviteUser, updateUser, type Invite, type User } from '../../platform/api.js';
import type { ServerAccess } from '../../platform/http.js';
import { CopyField } from './CopyField.js';
import { refusalText } from './refusal.js';

const ROLES = AgentRoleSchema.options;

/** Users: invite, change role and capacity, deactivate and reactivate (each asked first). */
export function UsersPanel({ me, access }: { me: Agent; access: ServerAccess }): JSX.Element {
  const { t, lang } = useT();
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [invited, setInvited] = useState<{ name: string; invite: Invite } | null>(null);
  const [draft, setDraft] = useState({ name: '', email: '', role: 'agent' as AgentRole, capacity: '5' });
  const [confirm, setConfirm] = useState<{ user: User; active: boolean; busy: boolean; error: string | null } | null>(
    null,
  );

  const reload = useCallback(() => {
    fetchUsers(access).then(
      (list) => setUsers(list.sort((a, b) => a.name.localeCompare(b.name))),
      (failure: unknown) => setError(t('admin.loadFailed', { reason: refusalText(failure, lang) })),
    );
  }, [access, t, lang]);
  useEffect(reload, [reload]);

  function replace(user: User): void {
    setUsers((current) => current?.map((candidate) => (candidate.id === user.id ? user : candidate)) ?? null);
  }

  function change(user: User, patch: { role?: AgentRole; capacity?: number }): void {
    setError(null);
    updateUser(access, user.id, patch).then(replace, (failure: unknown) => {
      setError(t('admin.failed', { reason: refusalText(failure, lang) }));
      reload();
    });
  }

  function invite(event: FormEvent): void {
    event.preventDefault();
    setError(null);
    const capacity = Number.parseInt(draft.capacity, 10);
    inviteUser(access, {
      name: draft.name.trim(),
      email: draft.email.trim(),
      role: draft.role,
      ...(Number.isFinite(capacity) ? { capacity } : {}),
    }).then(
      ({ user, invite: made }) => {
        setInvited({ name: user.name, invite: made });
        setDraft({ name: '', email: '', role: 'agent', capacity: '5' });
        setUsers((current) => [...(current ?? []), user].sort((a, b) => a.name.localeCompare(b.name)));
      },
      (failure: unknown) => setError(t('admin.failed', { reason: refusalText(failure, lang) })),
    );
  }

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }} data-testid="admin-users">
      <Paper variant="outlined" component="form" onSubmit={invite} sx={{ p: 2 }}>
        <Typography variant="subtitle2" component="h2" sx={{ mb: 1.5 }}>
          {t('admin.inviteTitle')}
        </Typography>
        <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap', alignItems: 'center' }}>
          <TextField
            size="small"
            label={t('admin.name')}
            value={draft.name}
            required
            onChange={(event) => setDraft({ ...draft, name: event.target.value })}
            slotProps={{ htmlInput: { 'data-testid': 'invite-name', maxLength: 100 } }}
          />
          <TextField
            size="small"
            type="email"
            label={t('admin.email')}
            value={draft.email}
            required
            onChange={(event) => setDraft({ ...draft, email: event.target.value })}
            slotProps={{ htmlInput: { 'data-testid': 'invite-email' } }}
          />
          <TextField
            select
            size="small"
            label={t('admin.role')}
            value={draft.role}
            onChange={(event) => setDraft({ ...draft, role: AgentRoleSchema.parse(event.target.value) })}
            sx={{ minWidth: 150 }}
          >
            {ROLES.map((role) => (
              <MenuItem key={role} value={role}>
                {t(`role.${role}`)}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            size="small"
            type="number"
            label={t('admin.capacity')}
            value={draft.capacity}
            onChange={(event) => setDraft({ ...draft, capacity: event.target.value })}
            slotProps={{ htmlInput: { min: 0, max: 1000 } }}
            sx={{ width: 110 }}
          />
          <Button type="submit" variant="contained" data-testid="invite-submit">
            {t('admin.invite')}
          </Button>
        </Box>
        {invited !== null && (
          <Alert severity="success" sx={{ mt: 2 }} onClose={() => setInvited(null)} data-testid="invite-result">
            <Typography variant="body2" sx={{ mb: 1 }}>
              {t('admin.inviteLink', { name: invited.name, time: dateTime(invited.invite.expiresAt, lang) })}
            </Typography>
            <CopyField
              label={t('admin.inviteLinkLabel')}
              value={inviteLink(access.serverUrl, invited.invite.token)}
              testId="invite-link"
            />
          </Alert>
        )}
      </Paper>
      {error !== null && (
        <Alert severity="error" role="alert" onClose={() => setError(null)} data-testid="admin-error">
          {error}
        </Alert>
      )}
      <Paper variant="outlined">
        <Table size="small" aria-label={t('admin.users')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('admin.name')}</TableCell>
              <TableCell>{t('admin.email')}</TableCell>
              <TableCell>{t('admin.role')}</TableCell>
              <TableCell>{t('admin.capacity')}</TableCell>
              <TableCell>{t('admin.status')}</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {(users ?? []).map((user) => (
              <TableRow key={user.id} data-testid="user-row" data-user-id={user.id}>
                <TableCell sx={{ fontWeight: 600 }}>
                  {user.name}
                  {user.id === me.id && (
                    <Typography component="span" variant="caption" color="text.secondary">
                      {` (${t('admin.you')})`}
                    </Typography>
                  )}
                  {user.kind === 'integration' && (
                    <Chip size="small" label={t('admin.integration')} sx={{ ml: 1 }} variant="outlined" />
                  )}
                </TableCell>
                <TableCell>{user.email}</TableCell>
                <TableCell>
                  <TextField
                    select
                    size="small"
                    variant="standard"
                    value={user.role}
                    onChange={(event) => change(user, { role: AgentRoleSchema.parse(event.target.value) })}
                    slotProps={{ htmlInput: { 'aria-label': t('admin.roleOf', { name: user.name }) } }}
                  >
                    {ROLES.map((role) => (
                      <MenuItem key={role} value={role}>
                        {t(`role.${role}`)}
                      </MenuItem>
                    ))}
                  </TextField>
                </TableCell>
                <TableCell>
                  <CapacityField key={user.capacity} user={user} onCommit={(capacity) => change(user, { capacity })} />
                </TableCell>
                <TableCell>
                  <Chip
                    size="small"
                    label={user.active ? t('admin.active') : t('admin.deactivated')}
                    color={user.active ? 'success' : 'default'}
                    variant="outlined"
                  />
                </TableCell>
                <TableCell align="right">
                  <Button
                    size="small"
                    color={user.active ? 'inherit' : 'primary'}
                    disabled={user.id === me.id}
                    onClick={() => setConfirm({ user, active: !user.active, busy: false, error: null })}
                    data-testid="user-activation"
                  >
                    {user.active ? t('admin.deactivate') : t('admin.reactivate')}
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Paper>
      <ConfirmDialog
        open={confirm !== null}
        title={
          confirm === null
            ? ''
            : t(confirm.active ? 'admin.reactivateTitle' : 'admin.deactivateTitle', { name: confirm.user.name })
        }
        body={
          confirm === null
            ? ''
            : t(confirm.active ? 'admin.reactivateBody' : 'admin.deactivateBody', { name: confirm.user.name })
        }
        confirmLabel={confirm?.active === true ? t('admin.reactivate') : t('admin.deactivate')}
        busy={confirm?.busy ?? false}
        error={confirm?.error ?? null}
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          if (confirm === null) return;
          setConfirm({ ...confirm, busy: true, error: null });
          updateUser(access, confirm.user.id, { active: confirm.active }).then(
            (user) => {
              replace(user);
              setConfirm(null);
            },
            (failure: unknown) => setConfirm({ ...confirm, busy: false, error: refusalText(failure, lang) }),
          );
        }}
      />
    </Box>
  );
}

/** A capacity that is saved when the admin leaves the field or presses Enter (keyed by the saved value, so it starts again from it). */
function CapacityField({ user, onCommit }: { user: User; onCommit: (capacity: number) => void }): JSX.Element {
  const { t } = useT();
  const [value, setValue] = useState(String(user.capacity));
  function commit(): void {
    const capacity = Number.parseInt(value, 10);
    if (!Number.isFinite(capacity) || capacity < 0 || capacity > 1000) {
      setValue(String(user.capacity));
      return;
    }
    if (capacity !== user.capacity) onCommit(capacity);
  }
  return (
    <TextField
      size="small"
      variant="standard"
      type="number"
      value={value}
      onChange={(event) => setValue(event.target.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') commit();
      }}
      slotProps={{ htmlInput: { min: 0, max: 1000, 'aria-label': t('admin.capacityOf', { name: user.name }) } }}
      sx={{ width: 70 }}
    />
  );
}
