import HistoryEduOutlinedIcon from '@mui/icons-material/HistoryEduOutlined';
import SendIcon from '@mui/icons-material/Send';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { Template } from '@parley/protocol';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';
import { allParametersFilled, fillTemplate, templateParameters } from '../../../domain/templates.js';

/**
 * The composer when only a template may go out (WhatsApp, 24 hours after the customer last
 * wrote): pick an approved template, fill its variables, read what the customer will get.
 */
export function TemplatePicker({
  templates,
  emptyText,
  selectedId,
  onSelect,
  parameters,
  onParameterChange,
  onSend,
  sending,
}: {
  templates: readonly Template[];
  /** Why there is nothing to pick, when `templates` is empty. */
  emptyText: string;
  selectedId: string | null;
  onSelect: (id: string) => void;
  parameters: readonly string[];
  onParameterChange: (index: number, value: string) => void;
  onSend: () => void;
  sending: boolean;
}): JSX.Element {
  const { t } = useT();
  const selected = templates.find((template) => template.id === selectedId) ?? null;
  const slots = selected === null ? [] : templateParameters(selected);
  const filled = selected === null ? null : fillTemplate(selected, parameters);
  const ready = selected !== null && allParametersFilled(selected, parameters);

  return (
    <Box sx={{ px: 2, pt: 1.5, pb: 1.5, bgcolor: 'background.paper' }} data-testid="template-picker">
      <Typography variant="subtitle2" sx={{ display: 'flex', alignItems: 'center', gap: 0.75, mb: 1.25 }}>
        <HistoryEduOutlinedIcon fontSize="small" />
        {t('template.title')}
      </Typography>
      {templates.length === 0 ? (
        <Typography variant="body2" color="text.secondary" data-testid="template-empty">
          {emptyText}
        </Typography>
      ) : (
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start', flexWrap: 'wrap' }}>
          <Box sx={{ flex: '1 1 280px', display: 'grid', gap: 1.25, minWidth: 0 }}>
            <TextField
              select
              size="small"
              label={t('template.pick')}
              value={selected?.id ?? ''}
              onChange={(event) => onSelect(event.target.value)}
              slotProps={{
                select: {
                  // The field shows the name and language; the menu adds the category.
                  renderValue: (id) => {
                    const template = templates.find((candidate) => candidate.id === id);
                    return template === undefined ? '' : `${template.name} · ${template.language}`;
                  },
                },
              }}
              data-testid="template-select"
            >
              {templates.map((template) => (
                <MenuItem key={template.id} value={template.id}>
                  <Box>
                    <Typography variant="body2">{template.name}</Typography>
                    <Typography variant="caption" color="text.secondary">
                      {t('template.meta', { category: template.category.toLowerCase(), language: template.language })}
                    </Typography>
                  </Box>
                </MenuItem>
              ))}
            </TextField>
            {slots.map((slot, index) => (
              <TextField
                key={`${slot.component}-${slot.index}`}
                size="small"
                label={`${t(`template.component.${slot.component}`)} {{${slot.index}}}`}
                value={parameters[index] ?? ''}
                onChange={(event) => onParameterChange(index, event.target.value)}
                slotProps={{ htmlInput: { 'data-testid': 'template-parameter' } }}
              />
            ))}
          </Box>
          {filled !== null && (
            <Box sx={{ flex: '1 1 280px', minWidth: 0 }}>
              <Typography variant="overline" color="text.secondary">
                {t('template.preview')}
              </Typography>
              <Box
                data-testid="template-preview"
                sx={{ bgcolor: 'thread.outbound', borderRadius: 2, px: 1.5, py: 1, boxShadow: 1 }}
              >
                {filled.header !== null && (
                  <Typography variant="body2" sx={{ fontWeight: 700, mb: 0.5 }}>
                    {filled.header}
                  </Typography>
                )}
                {filled.body !== null && (
                  <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                    {filled.body}
                  </Typography>
                )}
                {filled.footer !== null && (
                  <Typography variant="caption" color="text.secondary" sx={{ display: 'block', mt: 0.5 }}>
                    {filled.footer}
                  </Typography>
                )}
                {filled.buttons.length > 0 && (
                  <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap', mt: 1 }}>
                    {filled.buttons.map((button) => (
                      <Chip key={button} label={button} size="small" variant="outlined" />
                    ))}
                  </Box>
                )}
              </Box>
            </Box>
          )}
        </Box>
      )}
      {templates.length > 0 && (
        <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: 2, mt: 1.5 }}>
          {selected !== null && !ready && (
            <Typography variant="caption" color="text.secondary">
              {t('template.fillAll')}
            </Typography>
          )}
          <Button
            variant="contained"
            endIcon={sending ? <CircularProgress size={16} color="inherit" /> : <SendIcon />}
            disabled={!ready || sending}
            onClick={onSend}
            data-testid="template-send"
          >
            {t('template.send')}
          </Button>
        </Box>
      )}
    </Box>
  );
}
