import { MutationSchema, refusal, type MutationResult } from '@parley/protocol';
import { throughGate } from '../../platform/mutation-gate.js';
import type { Store } from '../../platform/store.js';
import { deleteCannedResponse, saveCannedResponse } from '../cannedResponses/index.js';
import { mergeContactsIn, setContactNote } from '../contacts/index.js';
import { runConversationMutation } from '../conversations/index.js';
import type { OutboundService } from '../outbound/index.js';
import { fingerprintOf, gateFor, recordedAnswer } from './log.js';

export type MutationDeps = { store: Store; outbound: OutboundService };

/**
 * The one path of every change an agent makes, whatever carried it (the socket today, the
 * REST API next): validated, checked against the idempotency log, permitted, applied and
 * recorded, exactly once per client id. A repeat (the outbox resending after a lost
 * acknowledgement, or a restart) gets the recorded answer and changes nothing.
 */
export async function runMutation(deps: MutationDeps, agentId: string, payload: unknown): Promise<MutationResult> {
  const parsed = MutationSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refusal('bad_request', 'malformed', {
      request: 'mutation',
      path: issue === undefined ? '' : issue.path.join('.'),
    });
  }
  const mutation = parsed.data;
  const fingerprint = fingerprintOf(mutation);
  // Fast path outside any write; the gate checks again inside the write, where a
  // concurrent twin of this mutation would be seen.
  const known = await recordedAnswer(deps.store.db, agentId, mutation, fingerprint);
  if (known !== null) return known;
  const gate = gateFor(agentId, mutation, fingerprint);
  switch (mutation.type) {
    case 'message.send':
      return deps.outbound.send(agentId, mutation, gate);
    case 'message.react':
      return deps.outbound.react(agentId, mutation, gate);
    case 'conversation.markRead':
      return deps.outbound.markRead(agentId, mutation, gate);
    case 'message.note':
    case 'conversation.assign':
    case 'conversation.transfer':
    case 'conversation.setStatus':
    case 'conversation.snooze':
    case 'conversation.markUnread':
    case 'conversation.label':
      return runConversationMutation(deps.store, agentId, mutation, gate);
    case 'contact.merge':
      return deps.store.write((trx, changes) =>
        throughGate(trx, gate, () => mergeContactsIn(trx, changes, mutation.sourceContactId, mutation.targetContactId)),
      );
    case 'contact.setNote':
      return deps.store.write((trx, changes) =>
        throughGate(trx, gate, () => setContactNote(trx, changes, mutation.contactId, mutation.note)),
      );
    case 'cannedResponse.save':
      return deps.store.write((trx, changes) =>
        throughGate(trx, gate, () => saveCannedResponse(trx, changes, agentId, mutation, Date.now())),
      );
    case 'cannedResponse.delete':
      return deps.store.write((trx, changes) =>
        throughGate(trx, gate, () => deleteCannedResponse(trx, changes, mutation, Date.now())),
      );
  }
}
