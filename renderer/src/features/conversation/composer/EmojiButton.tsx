import InsertEmoticonOutlinedIcon from '@mui/icons-material/InsertEmoticonOutlined';
import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';
import IconButton from '@mui/material/IconButton';
import Popover from '@mui/material/Popover';
import Tooltip from '@mui/material/Tooltip';
import { useColorScheme } from '@mui/material/styles';
import type { EmojiClickData, EmojiStyleValue, PickerLabels, ThemeValue } from 'emoji-picker-react';
import { lazy, Suspense, useMemo, useState, type JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';

// The picker and its emoji data load the first time it opens: nothing is paid until then.
const EmojiPicker = lazy(() => import('emoji-picker-react'));

/** Emoji drawn by the system's font: nothing is fetched from the network. */
const NATIVE: EmojiStyleValue = 'native';

/**
 * The emoji button beside the reply box: opens the picker, and hands the chosen emoji to
 * `onPick` (which inserts it at the caret). Escape closes the picker.
 */
export function EmojiButton({
  onPick,
  disabled,
}: {
  onPick: (emoji: string) => void;
  disabled?: boolean;
}): JSX.Element {
  const { t, lang } = useT();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const { mode, systemMode } = useColorScheme();
  const resolved = mode === 'system' || mode === undefined ? systemMode : mode;
  const theme: ThemeValue = resolved === 'dark' ? 'dark' : resolved === 'light' ? 'light' : 'auto';
  const labels = useMemo<Partial<PickerLabels>>(
    () => ({
      searchPlaceholder: t('emoji.search'),
      searchLabel: t('emoji.searchLabel'),
      searchClear: t('emoji.clear'),
      searchResultsNone: t('emoji.none'),
      categoryNavigation: t('emoji.categories'),
      loading: t('emoji.loading'),
      loadingError: t('emoji.loadingError'),
      retryLoading: t('emoji.retry'),
    }),
    [t],
  );

  const paperProps = { role: 'dialog', 'aria-label': t('composer.emojiPicker'), 'data-testid': 'emoji-picker' };

  return (
    <>
      <Tooltip title={t('composer.emoji')}>
        <span>
          <IconButton
            aria-label={t('composer.emoji')}
            aria-haspopup="dialog"
            aria-expanded={anchor !== null}
            onClick={(event) => setAnchor(event.currentTarget)}
            disabled={disabled}
            data-testid="emoji-button"
          >
            <InsertEmoticonOutlinedIcon />
          </IconButton>
        </span>
      </Tooltip>
      <Popover
        open={anchor !== null}
        anchorEl={anchor}
        onClose={() => setAnchor(null)}
        anchorOrigin={{ vertical: 'top', horizontal: 'left' }}
        transformOrigin={{ vertical: 'bottom', horizontal: 'left' }}
        slotProps={{ paper: paperProps }}
      >
        <Suspense
          fallback={
            <Box sx={{ width: 350, height: 420, display: 'grid', placeItems: 'center' }}>
              <CircularProgress aria-label={t('emoji.loading')} />
            </Box>
          }
        >
          <EmojiPicker
            emojiStyle={NATIVE}
            theme={theme}
            labels={labels}
            lazyLoadEmojis
            autoFocusSearch
            previewConfig={{ showPreview: false }}
            {...(lang === 'fr' ? { emojiData: () => import('emoji-picker-react/data/emojis-fr') } : {})}
            onEmojiClick={(data: EmojiClickData) => {
              setAnchor(null);
              onPick(data.emoji);
            }}
          />
        </Suspense>
      </Popover>
    </>
  );
}
