import Autocomplete from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { Contact } from '@parley/protocol';
import { useEffect, useState, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import type { ParleyDb } from '../../data/db.js';
import type { ThreadActions } from '../../domain/actions.js';
import { MergeSuggestion } from './MergeSuggestion.js';
import { searchContacts, useMergeCandidates } from './usePanelData.js';
import { useMergeConfirm } from './useMergeConfirm.js';

/** How long typing a name must pause before the cache is searched. */
const SEARCH_AFTER_MS = 200;

/**
 * Merging, for the roles allowed (the server checks again): the duplicates the server
 * proposes, each merged into after asking; and any other contact found by name, merged
 * into this one (the same person who wrote on another channel).
 */
export function PanelMerge({
  db,
  contact,
  actions,
}: {
  db: ParleyDb;
  contact: Contact;
  actions: ThreadActions;
}): JSX.Element {
  const { t } = useT();
  const candidates = useMergeCandidates(db, contact) ?? [];
  const [input, setInput] = useState('');
  const [found, setFound] = useState<{ query: string; contacts: Contact[] }>({ query: '', contacts: [] });
  const { ask, dialog } = useMergeConfirm(actions, () => setInput(''));

  useEffect(() => {
    const query = input;
    if (query.trim() === '') return;
    let cancelled = false;
    const timer = setTimeout(() => {
      void searchContacts(db, query, contact.id).then((contacts) => {
        if (!cancelled) setFound({ query, contacts });
      });
    }, SEARCH_AFTER_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [db, input, contact.id]);

  const options = input.trim() !== '' && found.query === input ? found.contacts : [];
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
      {candidates.map((candidate) => (
        <MergeSuggestion
          key={candidate.id}
          testId="contact-panel-merge-suggestion"
          duplicateName={candidate.name}
          onMerge={() => ask({ source: contact, target: candidate })}
        />
      ))}
      <Autocomplete<Contact, false, false, false>
        options={options}
        value={null}
        inputValue={input}
        onInputChange={(_, value, reason) => {
          if (reason !== 'reset') setInput(value);
        }}
        onChange={(_, picked) => {
          if (picked !== null) ask({ source: picked, target: contact });
        }}
        filterOptions={(all) => all}
        getOptionLabel={(option) => option.name}
        isOptionEqualToValue={(a, b) => a.id === b.id}
        noOptionsText={input.trim() === '' ? t('contacts.merge.typeName') : t('contacts.merge.noMatch')}
        renderOption={(props, option) => {
          const { key, ...rest } = props;
          return (
            <Box component="li" key={key} {...rest} data-testid="contact-merge-option">
              <Box sx={{ minWidth: 0 }}>
                <Typography variant="body2" noWrap>
                  {option.name}
                </Typography>
                <Typography variant="caption" color="text.secondary" noWrap component="div">
                  {option.phone ?? option.identities.map((identity) => t(`channel.${identity.channel}`)).join(', ')}
                </Typography>
              </Box>
            </Box>
          );
        }}
        renderInput={(params) => (
          <TextField
            {...params}
            size="small"
            label={t('contacts.merge.find')}
            helperText={t('contacts.merge.findHelp', { name: contact.name })}
            slotProps={{
              ...params.slotProps,
              htmlInput: { ...params.slotProps.htmlInput, 'data-testid': 'contact-merge-search' },
            }}
          />
        )}
      />
      {dialog}
    </Box>
  );
}
