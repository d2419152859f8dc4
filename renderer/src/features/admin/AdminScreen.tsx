import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import type { Agent } from '@parley/protocol';
import { useState, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import type { ParleyDb } from '../../data/db.js';
import type { ServerAccess } from '../../platform/http.js';
import { TeamsPanel } from './TeamsPanel.js';
import { TokensPanel } from './TokensPanel.js';
import { UsersPanel } from './UsersPanel.js';

type Section = 'users' | 'teams' | 'tokens';

/** Users, teams and API tokens. The server checks every change; its refusals are shown in words. */
export function AdminScreen({ db, me, access }: { db: ParleyDb; me: Agent; access: ServerAccess }): JSX.Element {
  const { t } = useT();
  const [section, setSection] = useState<Section>('users');
  return (
    <Box sx={{ flex: 1, display: 'flex', flexDirection: 'column', minHeight: 0 }} data-testid="admin-screen">
      <Tabs
        value={section}
        onChange={(_, next: Section) => setSection(next)}
        aria-label={t('admin.tabs')}
        sx={{ px: 2, borderBottom: 1, borderColor: 'divider', bgcolor: 'background.paper', minHeight: 40 }}
      >
        {(['users', 'teams', 'tokens'] as const).map((option) => (
          <Tab
            key={option}
            value={option}
            label={t(`admin.${option}`)}
            sx={{ textTransform: 'none', minHeight: 40 }}
            data-testid={`admin-tab-${option}`}
          />
        ))}
      </Tabs>
      <Box sx={{ flex: 1, overflowY: 'auto', p: 2, '& .MuiButton-root': { textTransform: 'none' } }}>
        {section === 'users' && <UsersPanel me={me} access={access} />}
        {section === 'teams' && <TeamsPanel db={db} access={access} />}
        {section === 'tokens' && <TokensPanel access={access} />}
      </Box>
    </Box>
  );
}
