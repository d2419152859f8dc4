import { z } from 'zod';
import {
  FailureSchema,
  MutationSchema,
  MutationSuccessSchema,
  refusal,
  type Mutation,
  type MutationResult,
} from '@parley/protocol';
import { withQuotaRecovery } from '../data/quota.js';
import { applyEntities } from './apply.js';
import type { SyncLink } from './link.js';

const MutationReplySchema = z.union([MutationSuccessSchema, FailureSchema]);

/**
 * Sends one mutation and waits for the server's answer, validated. Offline, it fails at
 * once with words to show and queues nothing. A stored message the server sends back is
 * written at once, and `onStored` told.
 */
export async function sendMutation(
  link: SyncLink,
  mutation: Mutation,
  onStored: (mutation: Mutation) => void,
): Promise<MutationResult> {
  const valid = MutationSchema.safeParse(mutation);
  if (!valid.success) {
    return refusal('bad_request', 'malformed', { request: 'mutation' });
  }
  const socket = link.socket();
  if (socket === null || !socket.connected || !link.ready()) return refusal('internal', 'offline');
  let reply: unknown;
  try {
    reply = await socket.timeout(link.timeoutMs).emitWithAck('mutate', valid.data);
  } catch {
    return refusal('internal', 'timeout');
  }
  const result = MutationReplySchema.safeParse(reply);
  if (!result.success) {
    link.options.onInvalidPayload?.('mutate', result.error.message);
    return refusal('internal', 'bad_reply');
  }
  if (result.data.ok && result.data.message !== undefined) {
    // Show the stored message at once; the change feed brings the same version again.
    const stored = [{ entity: 'message' as const, data: result.data.message }];
    await withQuotaRecovery(link.db, () => applyEntities(link.db, stored)).catch((error: unknown) =>
      link.report('mutate', error),
    );
    onStored(mutation);
  }
  return result.data;
}
