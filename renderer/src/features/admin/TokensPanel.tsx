import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { AgentRoleSchema, type AgentRole } from '@parley/protocol';
import { useCallback, useEffect, useState, type FormEvent, type JSX } from 'react';
import { dateTime, useT } from '../../common/i18n/index.js';
import { ConfirmDialog } from '../../common/ui/ConfirmDialog.js';
import { createToken, fetchTokens, revokeToken, type ApiToken } from '../../platform/api.js';
import type { ServerAccess } from '../../platform/http.js';
import { CopyField } from './CopyField.js';
import { refusalText } from './refusal.js';

/** API tokens for other systems: made with a role, the secret shown once, revocable. */
export function TokensPanel({ access }: { access: ServerAccess }): JSX.Element {
  const { t, lang } = useT();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<AgentRole>('agent');
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<{ token: ApiToken; busy: boolean; error: string | null } | null>(null);

  const reload = useCallback(() => {
    fetchTokens(access).then(setTokens, (failure: unknown) =>
      setError(t('admin.loadFailed', { reason: refusalText(failure, lang) })),
    );
  }, [access, t, lang]);
  useEffect(reload, [reload]);

  function create(event: FormEvent): void {
    event.preventDefault();
    if (name.trim() === '') return;
    setError(null);
    createToken(access, { name: name.trim(), role }).then(
      (made) => {
        setSecret(made.secret);
        setName('');
        reload();
      },
      (failure: unknown) => setError(t('admin.failed', { reason: refusalText(failure, lang) })),
    );
  }

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }} data-testid="admin-tokens">
      <Paper variant="outlined" component="form" onSubmit={create} sx={{ p: 2 }}>
        <Box sx={{ display: 'flex', gap: 1.5, alignItems: 'center', flexWrap: 'wrap' }}>
          <TextField
            size="small"
            label={t('admin.tokenName')}
            value={name}
            required
            onChange={(event) => setName(event.target.value)}
            slotProps={{ htmlInput: { maxLength: 100, 'data-testid': 'token-name' } }}
          />
          <TextField
            select
            size="small"
            label={t('admin.role')}
            value={role}
            onChange={(event) => setRole(AgentRoleSchema.parse(event.target.value))}
            sx={{ minWidth: 150 }}
          >
            {AgentRoleSchema.options.map((option) => (
              <MenuItem key={option} value={option}>
                {t(`role.${option}`)}
              </MenuItem>
            ))}
          </TextField>
          <Button type="submit" variant="contained" disabled={name.trim() === ''} data-testid="token-create">
            {t('admin.createToken')}
          </Button>
        </Box>
        {secret !== null && (
          <Alert severity="warning" sx={{ mt: 2 }} onClose={() => setSecret(null)} data-testid="token-secret">
            <Typography variant="body2" sx={{ mb: 1 }}>
              {t('admin.secretOnce')}
            </Typography>
            <CopyField label={t('admin.secretLabel')} value={secret} testId="token-secret-value" />
          </Alert>
        )}
      </Paper>
      {error !== null && (
        <Alert severity="error" role="alert" onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      <Paper variant="outlined">
        {tokens !== null && tokens.length === 0 ? (
          <Typography color="text.secondary" sx={{ p: 2 }}>
            {t('admin.noTokens')}
          </Typography>
        ) : (
          <Table size="small" aria-label={t('admin.tokens')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('admin.name')}</TableCell>
                <TableCell>{t('admin.role')}</TableCell>
                <TableCell>{t('admin.created')}</TableCell>
                <TableCell>{t('admin.lastUsed')}</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {(tokens ?? []).map((token) => {
                const revoked = token.revokedAt !== null && token.revokedAt !== undefined;
                return (
                  <TableRow key={token.id} data-testid="token-row">
                    <TableCell sx={{ fontWeight: 600 }}>{token.name}</TableCell>
                    <TableCell>{token.role === undefined ? '' : t(`role.${token.role}`)}</TableCell>
                    <TableCell>{token.createdAt === undefined ? '' : dateTime(token.createdAt, lang)}</TableCell>
                    <TableCell>
                      {token.lastUsedAt === null || token.lastUsedAt === undefined
                        ? t('admin.never')
                        : dateTime(token.lastUsedAt, lang)}
                    </TableCell>
                    <TableCell align="right">
                      {revoked ? (
                        <Typography variant="caption" color="text.secondary">
                          {t('admin.revoked')}
                        </Typography>
                      ) : (
                        <Button
                          size="small"
                          color="error"
                          onClick={() => setRevoking({ token, busy: false, error: null })}
                          aria-label={`${t('admin.revoke')} ${token.name}`}
                        >
                          {t('admin.revoke')}
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
      </Paper>
      <ConfirmDialog
        open={revoking !== null}
        title={revoking === null ? '' : t('admin.revokeTitle', { name: revoking.token.name })}
        body={t('admin.revokeBody')}
        confirmLabel={t('admin.revoke')}
        busy={revoking?.busy ?? false}
        error={revoking?.error ?? null}
        onCancel={() => setRevoking(null)}
        onConfirm={() => {
          if (revoking === null) return;
          setRevoking({ ...revoking, busy: true, error: null });
          revokeToken(access, revoking.token.id).then(
            () => {
              setRevoking(null);
              reload();
            },
            (failure: unknown) => setRevoking({ ...revoking, busy: false, error: refusalText(failure, lang) }),
          );
        }}
      />
    </Box>
  );
}
