import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { PASSWORD_MIN_LENGTH, type LoginResponse } from '@parley/protocol';
import { useState, type FormEvent, type JSX } from 'react';
import { ApiError } from '../../platform/api.js';
import { failureText, type FailureLike } from '../../common/i18n/failures.js';
import { useT } from '../../common/i18n/index.js';
import { acceptInvite } from './invite.js';

type InviteProblem =
  { kind: 'mismatch' } | { kind: 'invalid' } | { kind: 'unreachable' } | { kind: 'refused'; failure: FailureLike };

/** "Choose your password": the form an invite link opens; it signs the person in. */
export function InviteForm({
  serverUrl,
  token,
  onSignedIn,
  onCancel,
}: {
  serverUrl: string;
  token: string;
  onSignedIn: (session: LoginResponse) => void;
  onCancel: () => void;
}): JSX.Element {
  const { t, lang } = useT();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<InviteProblem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (password !== confirm) {
      setProblem({ kind: 'mismatch' });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      onSignedIn(await acceptInvite(serverUrl, token, password));
    } catch (caught) {
      if (!(caught instanceof ApiError) || caught.code === 'unreachable') setProblem({ kind: 'unreachable' });
      else if (caught.reason === 'refresh_invalid') setProblem({ kind: 'invalid' });
      else
        setProblem({ kind: 'refused', failure: { code: caught.code, reason: caught.reason, params: caught.params } });
    } finally {
      setBusy(false);
    }
  }

  function words(shown: InviteProblem): string {
    switch (shown.kind) {
      case 'mismatch':
        return t('invite.mismatch');
      case 'invalid':
        return t('invite.invalid');
      case 'unreachable':
        return t('login.unreachable', { url: serverUrl });
      case 'refused':
        return failureText(shown.failure, lang);
    }
  }

  return (
    <>
      <Typography variant="h5" component="h1" sx={{ fontWeight: 700, mb: 0.5 }}>
        {t('invite.title')}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 3 }}>
        {t('invite.intro')}
      </Typography>
      {problem !== null && (
        <Alert severity="error" sx={{ mb: 2 }} role="alert">
          {words(problem)}
        </Alert>
      )}
      <Box component="form" onSubmit={(event) => void submit(event)} sx={{ display: 'grid', gap: 2 }}>
        <TextField
          label={t('invite.password')}
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          helperText={t('invite.hint', { min: PASSWORD_MIN_LENGTH })}
          slotProps={{ htmlInput: { minLength: PASSWORD_MIN_LENGTH } }}
          required
          autoFocus
        />
        <TextField
          label={t('invite.confirm')}
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(event) => setConfirm(event.target.value)}
          required
        />
        <Button type="submit" variant="contained" size="large" disabled={busy}>
          {t('invite.submit')}
        </Button>
        <Button variant="text" onClick={onCancel} disabled={busy}>
          {t('invite.signIn')}
        </Button>
      </Box>
    </>
  );
}
