import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import InputAdornment from '@mui/material/InputAdornment';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { CannedResponse } from '@parley/protocol';
import { useId, useState, type JSX } from 'react';
import { useT, type Translator } from '../../common/i18n/index.js';
import {
  BODY_MAX,
  SHORTCUT_MAX,
  TITLE_MAX,
  cannedProblems,
  type CannedForm,
  type CannedProblem,
} from './cannedRules.js';

/** What a body may contain, filled in when it is inserted (written as typed, not translated). */
const VARIABLES = ['{{contact.name}}', '{{contact.first_name}}', '{{agent.name}}', '{{agent.first_name}}'].join(', ');

/** A problem in words the agent can act on. */
function problemText(problem: CannedProblem, t: Translator['t']): string {
  switch (problem.field) {
    case 'shortcut':
      switch (problem.kind) {
        case 'empty':
          return t('canned.problem.shortcutEmpty');
        case 'tooLong':
          return t('canned.problem.shortcutTooLong', { max: SHORTCUT_MAX });
        case 'characters':
          return problem.character === undefined || problem.character.trim() === ''
            ? t('canned.problem.shortcutSpace')
            : t('canned.problem.shortcutCharacter', { character: problem.character });
        case 'taken':
          return t('canned.problem.shortcutTaken');
      }
      break;
    case 'title':
      return t('canned.problem.titleTooLong', { max: TITLE_MAX });
    case 'body':
      return problem.kind === 'empty'
        ? t('canned.problem.bodyEmpty')
        : t('canned.problem.bodyTooLong', { max: BODY_MAX });
  }
  return '';
}

/** Creating or editing one canned response. Problems show as the agent types, after a first try to save. */
export function CannedEditor({
  initial,
  existing,
  canShare,
  onSave,
  onCancel,
}: {
  initial: CannedForm;
  existing: readonly CannedResponse[];
  /** Supervisors and admins may make a response shared. */
  canShare: boolean;
  onSave: (form: CannedForm) => void;
  onCancel: () => void;
}): JSX.Element {
  const { t } = useT();
  const titleId = useId();
  const [form, setForm] = useState<CannedForm>(initial);
  const [tried, setTried] = useState(false);
  const problems = cannedProblems(form, existing);
  const shown = (field: CannedProblem['field']): string | null => {
    const problem = problems.find((candidate) => candidate.field === field);
    // A shortcut already taken or with a wrong character is said at once; the rest after a try.
    if (problem === undefined) return null;
    if (!tried && !(problem.field === 'shortcut' && problem.kind !== 'empty')) return null;
    return problemText(problem, t);
  };
  const shortcutProblem = shown('shortcut');
  const titleProblem = shown('title');
  const bodyProblem = shown('body');

  return (
    <Dialog open onClose={onCancel} aria-labelledby={titleId} fullWidth maxWidth="sm" data-testid="canned-editor">
      <DialogTitle id={titleId}>{initial.id === null ? t('canned.createTitle') : t('canned.editTitle')}</DialogTitle>
      <DialogContent sx={{ display: 'grid', gap: 2, pt: '8px !important' }}>
        <TextField
          label={t('canned.shortcut')}
          value={form.shortcut}
          onChange={(event) => setForm({ ...form, shortcut: event.target.value })}
          error={shortcutProblem !== null}
          helperText={shortcutProblem ?? t('canned.shortcutHelp')}
          autoFocus
          slotProps={{
            input: { startAdornment: <InputAdornment position="start">/</InputAdornment> },
            htmlInput: { 'data-testid': 'canned-shortcut', maxLength: SHORTCUT_MAX * 2 },
          }}
        />
        <TextField
          label={t('canned.titleField')}
          value={form.title}
          onChange={(event) => setForm({ ...form, title: event.target.value })}
          error={titleProblem !== null}
          helperText={titleProblem ?? t('canned.titleHelp')}
          slotProps={{ htmlInput: { 'data-testid': 'canned-title' } }}
        />
        <TextField
          label={t('canned.body')}
          value={form.body}
          onChange={(event) => setForm({ ...form, body: event.target.value })}
          error={bodyProblem !== null}
          helperText={bodyProblem ?? t('canned.bodyHelp', { list: VARIABLES })}
          multiline
          minRows={4}
          maxRows={12}
          slotProps={{ htmlInput: { 'data-testid': 'canned-body' } }}
        />
        <div>
          <Typography variant="subtitle2" component="p" id={`${titleId}-scope`}>
            {t('canned.scope')}
          </Typography>
          <RadioGroup
            row
            aria-labelledby={`${titleId}-scope`}
            value={form.shared ? 'shared' : 'personal'}
            onChange={(event) => setForm({ ...form, shared: event.target.value === 'shared' })}
          >
            <FormControlLabel
              value="personal"
              control={<Radio />}
              label={t('canned.personalChoice')}
              data-testid="canned-personal"
            />
            <FormControlLabel
              value="shared"
              control={<Radio />}
              label={t('canned.sharedChoice')}
              disabled={!canShare}
              data-testid="canned-shared"
            />
          </RadioGroup>
          {!canShare && <FormHelperText>{t('canned.sharedOnlyManagers')}</FormHelperText>}
        </div>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button
          variant="contained"
          onClick={() => {
            setTried(true);
            if (problems.length === 0) onSave(form);
          }}
          data-testid="canned-save"
        >
          {t('canned.save')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
