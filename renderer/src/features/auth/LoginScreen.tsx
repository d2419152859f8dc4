import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { LoginResponse, ServerInfo } from '@parley/protocol';
import { useEffect, useState, type FormEvent, type JSX } from 'react';
import { ApiError, fetchServerInfo, login } from '../../platform/api.js';
import { failureText, type FailureLike } from '../../common/i18n/failures.js';
import { useT } from '../../common/i18n/index.js';
import { InviteForm } from './InviteForm.js';
import { inviteFromLocation } from './invite.js';

/** Why signing in did not work, kept as data and worded when shown. */
type LoginProblem = { kind: 'unreachable' } | { kind: 'refused'; failure: FailureLike };

export function LoginScreen({
  serverUrl,
  notice,
  onSignedIn,
}: {
  serverUrl: string;
  /** Why the agent was signed out, when the server ended the session. */
  notice: FailureLike | null;
  onSignedIn: (session: LoginResponse) => void;
}): JSX.Element {
  const { t, lang } = useT();
  const [info, setInfo] = useState<ServerInfo | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<LoginProblem | null>(
    notice === null ? null : { kind: 'refused', failure: notice },
  );
  const [busy, setBusy] = useState(false);
  // An invite link (`?invite=<token>`) opens "choose your password" instead of the sign-in.
  const [invite, setInvite] = useState<string | null>(() =>
    typeof window === 'undefined' ? null : inviteFromLocation(window.location.search),
  );

  /** The invite is used or set aside: drop it from the address so a reload does not show it again. */
  function leaveInvite(): void {
    setInvite(null);
    const url = new URL(window.location.href);
    url.searchParams.delete('invite');
    window.history.replaceState(null, '', url);
  }

  useEffect(() => {
    fetchServerInfo(serverUrl).then(setInfo, () => setError({ kind: 'unreachable' }));
  }, [serverUrl]);

  async function signIn(withEmail: string, withPassword: string): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await login(serverUrl, withEmail, withPassword));
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.code !== 'unreachable'
          ? {
              kind: 'refused',
              failure: {
                code: caught.code,
                reason: caught.reason,
                params: caught.params,
              },
            }
          : { kind: 'unreachable' },
      );
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent): void {
    event.preventDefault();
    void signIn(email, password);
  }

  return (
    <Box sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', bgcolor: 'background.default', p: 2 }}>
      <Paper sx={{ width: 'min(420px, 100%)', p: 4 }} elevation={3}>
        {invite !== null ? (
          <InviteForm
            serverUrl={serverUrl}
            token={invite}
            onCancel={leaveInvite}
            onSignedIn={(session) => {
              leaveInvite();
              onSignedIn(session);
            }}
          />
        ) : (
          <>
            <Typography variant="h5" component="h1" sx={{ fontWeight: 700, mb: 0.5 }}>
              {t('login.title')}
            </Typography>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 3 }}>
              {t('login.server')}: {serverUrl}
            </Typography>
            {error !== null && (
              <Alert severity="error" sx={{ mb: 2 }} role="alert">
                {error.kind === 'unreachable'
                  ? t('login.unreachable', { url: serverUrl })
                  : failureText(error.failure, lang)}
              </Alert>
            )}
            <Box component="form" onSubmit={submit} sx={{ display: 'grid', gap: 2 }}>
              <TextField
                label={t('login.email')}
                type="email"
                autoComplete="username"
                value={email}
                onChange={(event) => setEmail(event.target.value)}
                required
                autoFocus
              />
              <TextField
                label={t('login.password')}
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                required
              />
              <Button type="submit" variant="contained" size="large" disabled={busy}>
                {t('login.submit')}
              </Button>
            </Box>
            {info?.demoAccounts !== undefined && info.demoAccounts.length > 0 && (
              <>
                <Divider sx={{ my: 3 }}>{t('login.demo')}</Divider>
                <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                  {t('login.demoHint')}
                </Typography>
                <List dense disablePadding>
                  {info.demoAccounts.map((account) => (
                    <ListItemButton
                      key={account.email}
                      disabled={busy}
                      onClick={() => void signIn(account.email, account.password)}
                      data-testid="demo-account"
                    >
                      <ListItemText
                        primary={account.name}
                        secondary={`${t(`role.${account.role}`)} · ${account.email}`}
                      />
                    </ListItemButton>
                  ))}
                </List>
              </>
            )}
          </>
        )}
      </Paper>
    </Box>
  );
}
