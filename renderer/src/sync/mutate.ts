import { z } from 'zod';
import {
  FailureSchema,
  MutationSchema,
  MutationSuccessSchema,
  failure,
  type Mutation,
  type MutationResult,
} from '@parley/protocol';
import { t } from '../common/i18n/index.js';
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
    return failure('bad_request', t('mutation.invalid', { detail: valid.error.issues[0]?.message ?? '' }));
  }
  const socket = link.socket();
  if (socket === null || !socket.connected || !link.ready()) return failure('internal', t('mutation.offline'));
  let reply: unknown;
  try {
    reply = await socket.timeout(link.timeoutMs).emitWithAck('mutate', valid.data);
  } catch {
    return failure('internal', t('mutation.timeout'));
  }
  const result = MutationReplySchema.safeParse(reply);
  if (!result.success) {
    link.options.onInvalidPayload?.('mutate', result.error.message);
    return failure('internal', t('mutation.badReply'));
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
