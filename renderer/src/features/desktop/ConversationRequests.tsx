import Alert from '@mui/material/Alert';
import Snackbar from '@mui/material/Snackbar';
import { useEffect, useRef, useState, type JSX } from 'react';
import { useT } from '../../common/i18n/index.js';
import type { ParleyDb } from '../../data/db.js';
import type { Desktop } from '../../platform/desktop.js';
import {
  requestNotice,
  resolveConversationRequest,
  visibleOnServer,
  type RequestOutcome,
} from './conversationRequest.js';

/**
 * The waiting link is taken from the shell once per connection to it; a view that mounts
 * twice (React's strict mode, the inbox shown again) handles it once.
 */
const waitingLinks = new WeakMap<Desktop, { link: Promise<string | null>; handled: boolean }>();

function waitingLink(desktop: Desktop): { link: Promise<string | null>; handled: boolean } {
  let entry = waitingLinks.get(desktop);
  if (entry === undefined) {
    entry = {
      link: desktop.takeDeepLink().catch((error: unknown) => {
        console.warn('Could not take the waiting link', error);
        return null;
      }),
      handled: false,
    };
    waitingLinks.set(desktop, entry);
  }
  return entry;
}

/**
 * Opens the conversations the desktop shell or the address asks for: the link that came
 * before the page was ready (taken once), then every `conversation:open` (a deep link, a
 * notification's click). One the agent cannot see is said in a notice, never a blank page.
 */
export function ConversationRequests({
  desktop,
  db,
  onOpen,
}: {
  desktop: Desktop;
  db: ParleyDb;
  onOpen: (conversationId: string) => void;
}): JSX.Element {
  const { t } = useT();
  const [notice, setNotice] = useState<{ outcome: RequestOutcome; at: number } | null>(null);
  // The latest callback, so a listener registered once always opens in the current view.
  const openRef = useRef(onOpen);
  useEffect(() => {
    openRef.current = onOpen;
  }, [onOpen]);

  useEffect(() => {
    let disposed = false;
    // Requests are handled in order: a later one never lands before an earlier one.
    let queue = Promise.resolve();
    const request = (conversationId: string): void => {
      queue = queue.then(async () => {
        const outcome = await resolveConversationRequest(conversationId, {
          inCache: async (id) => (await db.conversations.get(id)) !== undefined,
          visibleOnServer: (id) =>
            visibleOnServer({ serverUrl: desktop.serverUrl, getToken: () => desktop.getToken() }, id),
        });
        if (disposed) return;
        if (outcome === 'open' || outcome === 'syncing') openRef.current(conversationId);
        setNotice(requestNotice(outcome) === null ? null : { outcome, at: Date.now() });
      });
    };
    const stop = desktop.on('conversation:open', ({ conversationId }) => request(conversationId));
    const waiting = waitingLink(desktop);
    void waiting.link.then((conversationId) => {
      if (conversationId === null || disposed || waiting.handled) return;
      waiting.handled = true;
      request(conversationId);
    });
    return () => {
      disposed = true;
      stop();
    };
  }, [desktop, db]);

  const shown = notice === null ? null : requestNotice(notice.outcome);
  return (
    <Snackbar
      key={notice?.at}
      open={shown !== null}
      onClose={(_, reason) => {
        if (reason !== 'clickaway') setNotice(null);
      }}
      autoHideDuration={shown?.severity === 'info' ? 6000 : null}
      anchorOrigin={{ vertical: 'top', horizontal: 'center' }}
    >
      <Alert
        severity={shown?.severity ?? 'info'}
        variant="filled"
        role="alert"
        onClose={() => setNotice(null)}
        data-testid="conversation-request-notice"
        data-outcome={notice?.outcome}
      >
        {shown === null ? '' : t(shown.key)}
      </Alert>
    </Snackbar>
  );
}
