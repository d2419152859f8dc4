import Autocomplete from '@mui/material/Autocomplete';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { SpellcheckInfo } from '@parley/protocol';
import { useEffect, useMemo, useState, type JSX } from 'react';
import { describeError } from '../../common/errors.js';
import { useT } from '../../common/i18n/index.js';
import { hostFeatures, type HostFeatures } from '../../platform/desktop.js';

/** "fr-FR" → "français (France)", in the app's language; the code when the runtime has no name. */
export function languageName(code: string, lang: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * The settings' "Spelling": the languages the composer is checked in. Chromium's
 * dictionaries on Windows and Linux; on macOS and in a browser, the system's or the
 * browser's own choice, which this only explains.
 */
export function SpellingSection({ host = hostFeatures() }: { host?: HostFeatures }): JSX.Element {
  const { t } = useT();
  const spellcheck = host.spellcheck;
  return (
    <Stack spacing={2} data-testid="spelling-section">
      <Typography variant="h6" component="h3">
        {t('settings.section.spelling')}
      </Typography>
      {spellcheck === null ? (
        <Typography color="text.secondary">{t('desktop.spelling.browser')}</Typography>
      ) : (
        <Languages spellcheck={spellcheck} />
      )}
    </Stack>
  );
}

function Languages({ spellcheck }: { spellcheck: NonNullable<HostFeatures['spellcheck']> }): JSX.Element {
  const { t, lang } = useT();
  const [info, setInfo] = useState<SpellcheckInfo | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void spellcheck.getLanguages().then(
      (next) => live && setInfo(next),
      (error: unknown) => live && setFailure(describeError(error)),
    );
    return () => {
      live = false;
    };
  }, [spellcheck]);
  const names = useMemo(
    () => new Map((info?.available ?? []).map((code) => [code, languageName(code, lang)])),
    [info, lang],
  );

  if (failure !== null)
    return <Typography color="error">{t('desktop.updates.failedAction', { detail: failure })}</Typography>;
  if (info === null) return <Typography color="text.secondary">{t('desktop.spelling.loading')}</Typography>;
  if (info.systemManaged) return <Typography color="text.secondary">{t('desktop.spelling.system')}</Typography>;
  if (info.available.length === 0) return <Typography color="text.secondary">{t('desktop.spelling.none')}</Typography>;
  return (
    <>
      <Autocomplete
        multiple
        options={info.available}
        value={info.selected}
        getOptionLabel={(code) => names.get(code) ?? code}
        onChange={(_, selected) => {
          setInfo({ ...info, selected });
          void spellcheck.setLanguages(selected).then(
            (applied) => setInfo((current) => (current === null ? current : { ...current, selected: applied })),
            (error: unknown) => setFailure(describeError(error)),
          );
        }}
        renderInput={(params) => (
          <TextField {...params} label={t('desktop.spelling.title')} placeholder={t('desktop.spelling.placeholder')} />
        )}
        data-testid="spelling-languages"
      />
      <Typography variant="body2" color="text.secondary">
        {t('desktop.spelling.help')}
      </Typography>
    </>
  );
}
