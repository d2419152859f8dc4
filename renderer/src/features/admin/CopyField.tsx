import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import IconButton from '@mui/material/IconButton';
import InputAdornment from '@mui/material/InputAdornment';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import { useState, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';

/** A read-only value with a button that copies it. */
export function CopyField({ label, value, testId }: { label: string; value: string; testId: string }): JSX.Element {
  const { t } = useT();
  const [copied, setCopied] = useState(false);
  return (
    <TextField
      size="small"
      fullWidth
      label={label}
      value={value}
      slotProps={{
        htmlInput: {
          readOnly: true,
          'data-testid': testId,
          onFocus: (event: { target: HTMLInputElement }) => event.target.select(),
        },
        input: {
          endAdornment: (
            <InputAdornment position="end">
              <Tooltip title={copied ? t('admin.copied') : t('admin.copy')}>
                <IconButton
                  size="small"
                  aria-label={t('admin.copy')}
                  onClick={() => {
                    void navigator.clipboard.writeText(value).then(() => setCopied(true));
                  }}
                >
                  <ContentCopyIcon fontSize="small" />
                </IconButton>
              </Tooltip>
            </InputAdornment>
          ),
        },
      }}
    />
  );
}
