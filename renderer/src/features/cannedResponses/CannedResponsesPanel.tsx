import AddIcon from '@mui/icons-material/Add';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import EditOutlinedIcon from '@mui/icons-material/EditOutlined';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { Agent, CannedResponse } from '@parley/protocol';
import { useLiveQuery } from 'dexie-react-hooks';
import { useMemo, useState, type JSX } from 'react';
import { newClientId } from '../../common/clientId.js';
import { describeError } from '../../common/errors.js';
import { failureText } from '../../common/i18n/failures.js';
import { useT } from '../../common/i18n/index.js';
import { ConfirmDialog } from '../../common/ui/ConfirmDialog.js';
import type { ParleyDb } from '../../data/db.js';
import type { ThreadActions } from '../../domain/actions.js';
import { discardOutbox, enqueue } from '../../sync/outbox.js';
import { CannedEditor } from './CannedEditor.js';
import { canEdit, canManageShared, normalizeShortcut, type CannedForm } from './cannedRules.js';
import { useCannedResponses } from './useCannedResponses.js';

/** More than this many are narrowed by the search rather than all drawn. */
const SHOWN_AT_MOST = 100;

function fold(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Managing canned responses: the shared ones and the agent's own, searched, created,
 * edited and deleted. Shared ones are managed by supervisors and admins; the server checks
 * it too. Changes go through the outbox, like every change: they show at once, wait while
 * offline, and a refusal is said here in words and undone.
 *
 * `mutate` is accepted for the screens that hold the sync engine's; the panel writes
 * through the outbox so it works offline.
 */
export function CannedResponsesPanel({
  db,
  me,
}: {
  db: ParleyDb;
  me: Agent;
  mutate?: ThreadActions['mutate'];
}): JSX.Element {
  const { t, tn, lang } = useT();
  const responses = useCannedResponses(db, me.id);
  const failures = useLiveQuery(
    async () =>
      (await db.outbox.where('state').equals('failed').toArray()).filter((row) => row.lane.startsWith('canned:')),
    [db],
  );
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<CannedForm | null>(null);
  const [deleting, setDeleting] = useState<CannedResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const manager = canManageShared(me);

  const matches = useMemo(() => {
    const q = fold(query.trim());
    return (responses ?? []).filter(
      (response) =>
        q === '' ||
        fold(response.shortcut).includes(q) ||
        fold(response.title).includes(q) ||
        fold(response.body).includes(q),
    );
  }, [responses, query]);
  const shown = matches.slice(0, SHOWN_AT_MOST);

  function save(form: CannedForm): void {
    setError(null);
    enqueue(
      db,
      {
        type: 'cannedResponse.save',
        clientId: newClientId(),
        id: form.id ?? crypto.randomUUID(),
        shortcut: normalizeShortcut(form.shortcut),
        title: form.title.trim(),
        body: form.body,
        shared: form.shared,
      },
      { agentId: me.id },
    ).then(
      () => setEditing(null),
      (failure: unknown) => setError(t('outbox.notSaved', { detail: describeError(failure) })),
    );
  }

  function remove(response: CannedResponse): void {
    setError(null);
    enqueue(db, { type: 'cannedResponse.delete', clientId: newClientId(), id: response.id }, { agentId: me.id }).then(
      () => setDeleting(null),
      (failure: unknown) => setError(t('outbox.notSaved', { detail: describeError(failure) })),
    );
  }

  return (
    <Box sx={{ display: 'grid', gap: 2 }} data-testid="canned-panel">
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
        <Box sx={{ flex: '1 1 240px' }}>
          <Typography variant="h6" component="h2">
            {t('canned.title')}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {manager ? t('canned.introManager') : t('canned.introAgent')}
          </Typography>
        </Box>
        <Button
          variant="contained"
          startIcon={<AddIcon />}
          onClick={() => setEditing({ id: null, shortcut: '', title: '', body: '', shared: false })}
          data-testid="canned-new"
        >
          {t('canned.new')}
        </Button>
      </Box>
      <TextField
        size="small"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && query !== '') {
            event.stopPropagation();
            setQuery('');
          }
        }}
        placeholder={t('canned.searchPlaceholder')}
        slotProps={{ htmlInput: { 'aria-label': t('canned.search'), 'data-testid': 'canned-search' } }}
      />
      {(failures ?? []).map((row) => (
        <Alert
          key={row.clientId}
          severity="error"
          role="alert"
          data-testid="canned-refused"
          onClose={() => void discardOutbox(db, row.clientId)}
          slotProps={{ closeButton: { title: t('canned.dismiss'), 'aria-label': t('canned.dismiss') } }}
        >
          {t(row.mutation.type === 'cannedResponse.delete' ? 'canned.refusedDelete' : 'canned.refusedSave', {
            shortcut: row.mutation.type === 'cannedResponse.save' ? `/${row.mutation.shortcut}` : '',
            why: row.lastError === null ? '' : failureText(row.lastError, lang),
          })}
        </Alert>
      ))}
      {error !== null && (
        <Alert severity="error" role="alert" onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      {responses === undefined ? null : matches.length === 0 ? (
        <Typography color="text.secondary" data-testid="canned-empty">
          {responses.length === 0 ? t('canned.none') : t('canned.noMatch')}
        </Typography>
      ) : (
        <Box
          component="ul"
          sx={{ listStyle: 'none', m: 0, p: 0, display: 'grid', gap: 1 }}
          aria-label={t('canned.title')}
        >
          {shown.map((response) => {
            const editable = canEdit(me, response);
            return (
              <Box
                component="li"
                key={response.id}
                data-testid="canned-row"
                sx={{
                  display: 'flex',
                  gap: 1.5,
                  alignItems: 'flex-start',
                  p: 1.5,
                  border: 1,
                  borderColor: 'divider',
                  borderRadius: 2,
                  bgcolor: 'background.paper',
                }}
              >
                <Box sx={{ flex: 1, minWidth: 0 }}>
                  <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
                    <Typography variant="body2" component="span" sx={{ fontFamily: 'monospace', fontWeight: 700 }}>
                      /{response.shortcut}
                    </Typography>
                    {response.title !== '' && (
                      <Typography variant="body2" component="span" sx={{ fontWeight: 600 }}>
                        {response.title}
                      </Typography>
                    )}
                    <Chip
                      size="small"
                      variant="outlined"
                      color={response.ownerId === null ? 'primary' : 'default'}
                      label={response.ownerId === null ? t('canned.shared') : t('canned.personal')}
                    />
                  </Box>
                  <Typography
                    variant="body2"
                    color="text.secondary"
                    sx={{
                      mt: 0.5,
                      whiteSpace: 'pre-wrap',
                      overflowWrap: 'anywhere',
                      display: '-webkit-box',
                      WebkitLineClamp: 3,
                      WebkitBoxOrient: 'vertical',
                      overflow: 'hidden',
                    }}
                  >
                    {response.body}
                  </Typography>
                </Box>
                {editable ? (
                  <Box sx={{ display: 'flex' }}>
                    <Tooltip title={t('canned.edit', { shortcut: response.shortcut })}>
                      <IconButton
                        aria-label={t('canned.edit', { shortcut: response.shortcut })}
                        onClick={() =>
                          setEditing({
                            id: response.id,
                            shortcut: response.shortcut,
                            title: response.title,
                            body: response.body,
                            shared: response.ownerId === null,
                          })
                        }
                        data-testid="canned-edit"
                      >
                        <EditOutlinedIcon />
                      </IconButton>
                    </Tooltip>
                    <Tooltip title={t('canned.delete', { shortcut: response.shortcut })}>
                      <IconButton
                        aria-label={t('canned.delete', { shortcut: response.shortcut })}
                        onClick={() => setDeleting(response)}
                        data-testid="canned-delete"
                      >
                        <DeleteOutlinedIcon />
                      </IconButton>
                    </Tooltip>
                  </Box>
                ) : (
                  <Typography variant="caption" color="text.secondary" sx={{ alignSelf: 'center' }}>
                    {t('canned.managedBySupervisors')}
                  </Typography>
                )}
              </Box>
            );
          })}
        </Box>
      )}
      {matches.length > shown.length && (
        <Typography variant="caption" color="text.secondary">
          {tn('canned.more', matches.length - shown.length)}
        </Typography>
      )}
      {editing !== null && (
        <CannedEditor
          initial={editing}
          existing={responses ?? []}
          canShare={manager}
          onSave={save}
          onCancel={() => setEditing(null)}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t('canned.deleteTitle', { shortcut: deleting?.shortcut ?? '' })}
        body={deleting?.ownerId === null ? t('canned.deleteBodyShared') : t('canned.deleteBodyPersonal')}
        confirmLabel={t('canned.deleteConfirm')}
        busy={false}
        error={null}
        onConfirm={() => {
          if (deleting !== null) remove(deleting);
        }}
        onCancel={() => setDeleting(null)}
      />
    </Box>
  );
}
