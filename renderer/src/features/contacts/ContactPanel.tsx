import CloseIcon from '@mui/icons-material/Close';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { Agent, Contact, Conversation } from '@parley/protocol';
import { useDeferredValue, useEffect, useState, type JSX, type ReactNode } from 'react';
import { onIdle } from '../../common/idle.js';
import { useT } from '../../common/i18n/index.js';
import type { ParleyDb } from '../../data/db.js';
import type { ThreadActions } from '../../domain/actions.js';
import { ContactAvatar } from './ContactAvatar.js';
import { ContactConversations } from './ContactConversations.js';
import { ContactIdentities, CopyButton } from './ContactIdentities.js';
import { ContactNote } from './ContactNote.js';
import { PanelMerge } from './PanelMerge.js';
import { phoneText } from '../../domain/contacts.js';
import { CONVERSATION_PAGE, mayMerge } from './panelRules.js';
import { usePanelContact, usePersonConversations } from './usePanelData.js';

/**
 * Beside the thread: who the customer is (name, avatar, every channel identity, phone),
 * their labels, what agents noted about them, their previous conversations on every
 * channel, and merging two contacts for the roles allowed.
 */
export function ContactPanel({
  db,
  me,
  conversationId,
  actions,
  onOpenConversation,
  onClose,
}: {
  db: ParleyDb;
  me: Agent;
  conversationId: string;
  actions: ThreadActions;
  onOpenConversation: (conversationId: string) => void;
  onClose: () => void;
}): JSX.Element | null {
  const { t } = useT();
  const shownId = useIdleValue(conversationId);
  const panel = usePanelContact(db, shownId);
  return (
    <Box
      component="aside"
      aria-label={t('contacts.panel')}
      data-testid="contact-panel"
      sx={{
        width: 320,
        flexShrink: 0,
        display: 'flex',
        flexDirection: 'column',
        minHeight: 0,
        borderLeft: 1,
        borderColor: 'divider',
        bgcolor: 'background.paper',
      }}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', px: 2, py: 1, gap: 1 }}>
        <Typography variant="overline" component="p" color="text.secondary" sx={{ flex: 1 }}>
          {t('contacts.panel')}
        </Typography>
        <Tooltip title={t('contacts.close')}>
          <IconButton size="small" onClick={onClose} aria-label={t('contacts.close')} data-testid="contact-panel-close">
            <CloseIcon fontSize="small" />
          </IconButton>
        </Tooltip>
      </Box>
      <Divider />
      <Box
        sx={{ flex: 1, overflowY: 'auto', minHeight: 0 }}
        data-testid="contact-panel-body"
        // Until it follows the conversation chosen, the contact shown is not the one to act on.
        inert={shownId !== conversationId}
        aria-busy={shownId !== conversationId}
      >
        {panel.kind === 'loading' ? (
          <Box sx={{ display: 'grid', placeItems: 'center', p: 4 }}>
            <CircularProgress size={24} aria-label={t('contacts.loading')} />
          </Box>
        ) : panel.kind === 'missing' ? (
          <Typography color="text.secondary" sx={{ p: 2 }} data-testid="contact-panel-missing">
            {t('contacts.missing')}
          </Typography>
        ) : (
          <ContactDetails
            key={panel.contact.id}
            db={db}
            me={me}
            conversation={panel.conversation}
            contact={panel.contact}
            actions={actions}
            onOpenConversation={onOpenConversation}
          />
        )}
      </Box>
    </Box>
  );
}

function Section({ title, id, children }: { title: string; id: string; children: ReactNode }): JSX.Element {
  return (
    <Box component="section" aria-labelledby={id} sx={{ px: 2, py: 1.5 }}>
      <Typography id={id} variant="subtitle2" component="h3" sx={{ mb: 0.75 }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

function ContactDetails({
  db,
  me,
  conversation,
  contact,
  actions,
  onOpenConversation,
}: {
  db: ParleyDb;
  me: Agent;
  conversation: Conversation;
  contact: Contact;
  actions: ThreadActions;
  onOpenConversation: (conversationId: string) => void;
}): JSX.Element {
  const { t, lang } = useT();
  const [limit, setLimit] = useState(CONVERSATION_PAGE);
  const person = usePersonConversations(db, contact.id, limit, lang);
  const ids = (name: string): string => `contact-${name}-${contact.id}`;
  return (
    <>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, px: 2, pt: 2, pb: 1 }}>
        <ContactAvatar name={contact.name} avatarMediaId={contact.avatarMediaId} size={56} />
        <Typography
          variant="h6"
          component="h2"
          data-testid="contact-panel-name"
          sx={{ minWidth: 0, overflowWrap: 'anywhere', lineHeight: 1.3 }}
        >
          {contact.name === '' ? t('contacts.unnamed') : contact.name}
        </Typography>
      </Box>
      <Section title={t('contacts.section.channels')} id={ids('channels')}>
        <ContactIdentities identities={contact.identities} />
      </Section>
      <Section title={t('contacts.section.phone')} id={ids('phone')}>
        {contact.phone === null ? (
          <Typography variant="body2" color="text.secondary">
            {t('contacts.noPhone')}
          </Typography>
        ) : (
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
            <Typography variant="body2" data-testid="contact-phone" sx={{ flex: 1, overflowWrap: 'anywhere' }}>
              {phoneText(contact.phone)}
            </Typography>
            <CopyButton value={phoneText(contact.phone)} label={t('contacts.copyPhone')} />
          </Box>
        )}
      </Section>
      <Section title={t('contacts.section.labels')} id={ids('labels')}>
        {person === undefined ? null : person.labels.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            {t('contacts.noLabels')}
          </Typography>
        ) : (
          <Box component="ul" sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5, listStyle: 'none', m: 0, p: 0 }}>
            {person.labels.map((label) => (
              <li key={label}>
                <Chip size="small" label={label} data-testid="contact-label" />
              </li>
            ))}
          </Box>
        )}
      </Section>
      <Section title={t('contacts.section.note')} id={ids('note')}>
        <ContactNote db={db} contact={contact} />
      </Section>
      <Divider />
      <Section title={t('contacts.section.conversations')} id={ids('conversations')}>
        {person === undefined ? (
          <CircularProgress size={20} aria-label={t('contacts.loading')} />
        ) : (
          <ContactConversations
            conversations={person.shown}
            total={person.total}
            currentId={conversation.id}
            onOpen={onOpenConversation}
            onShowMore={() => setLimit((shown) => shown + CONVERSATION_PAGE)}
          />
        )}
      </Section>
      {mayMerge(me) && (
        <>
          <Divider />
          <Section title={t('contacts.section.merge')} id={ids('merge')}>
            <PanelMerge db={db} contact={contact} actions={actions} />
          </Section>
        </>
      )}
    </>
  );
}

/** How long the panel lets the thread have the page before it shows another conversation's contact. */
const PANEL_WAIT_MS = 400;

/**
 * Another conversation chosen: the thread's messages are what the agent waits for, so the
 * panel keeps the contact shown until the page is idle (or a moment has passed), then
 * renders the new one at a lower priority.
 */
function useIdleValue(value: string): string {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (shown === value) return;
    return onIdle(() => setShown(value), PANEL_WAIT_MS);
  }, [value, shown]);
  return useDeferredValue(shown);
}
