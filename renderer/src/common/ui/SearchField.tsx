import ClearIcon from '@mui/icons-material/Clear';
import SearchIcon from '@mui/icons-material/Search';
import IconButton from '@mui/material/IconButton';
import InputAdornment from '@mui/material/InputAdornment';
import TextField from '@mui/material/TextField';
import { memo, type JSX, type Ref } from 'react';
import { useT } from '../i18n/index.js';

export type SearchFieldProps = {
  value: string;
  onChange: (value: string) => void;
  inputRef?: Ref<HTMLInputElement>;
};

/** The inbox search box; Esc clears it. Memoized: the list renders again on every opening. */
export const SearchField = memo(function SearchField({ value, onChange, inputRef }: SearchFieldProps): JSX.Element {
  const { t } = useT();
  return (
    <TextField
      size="small"
      fullWidth
      value={value}
      placeholder={t('search.placeholder')}
      onChange={(event) => onChange(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onChange('');
      }}
      inputRef={inputRef}
      slotProps={{
        htmlInput: { 'aria-label': t('search.label'), 'data-testid': 'search-input' },
        input: {
          startAdornment: (
            <InputAdornment position="start">
              <SearchIcon fontSize="small" />
            </InputAdornment>
          ),
          endAdornment:
            value === '' ? undefined : (
              <InputAdornment position="end">
                <IconButton size="small" edge="end" aria-label={t('search.clear')} onClick={() => onChange('')}>
                  <ClearIcon fontSize="small" />
                </IconButton>
              </InputAdornment>
            ),
        },
      }}
    />
  );
});
