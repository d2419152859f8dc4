import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Socket } from 'socket.io';
import {
  MutationSchema,
  MutationSuccessSchema,
  FailureSchema,
  TypingSchema,
  failure,
  type ClientToServerEvents,
  type Mutation,
  type MutationResult,
  type ServerToClientEvents,
  type SocketData,
} from '@parley/protocol';
import { z } from 'zod';
import { mergeContactsIn } from '../../modules/contacts/merge.js';
import { runConversationMutation } from '../../modules/conversations/commands.js';
import type { MutationRecorder } from '../../modules/outbound/commands.js';
import type { OutboundService } from '../../modules/outbound/outbound.js';
import { messageFromRow, MESSAGE_COLUMNS } from '../../platform/rows.js';
import type { Store, Trx } from '../../platform/store.js';

type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;

export type MutationDeps = { store: Store; log: FastifyBaseLogger; outbound: OutboundService };

/**
 * What is kept per client id in `mutations.result`: the answer, and a fingerprint of the
 * mutation it answered, so the same id reused for a different change is told apart.
 */
const RecordedSchema = z.object({
  fingerprint: z.string(),
  result: z.union([MutationSuccessSchema, FailureSchema]),
});

/** A stable digest of the mutation (keys sorted), for comparing a repeat with the original. */
function fingerprintOf(mutation: Mutation): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, inner]) => [key, canonical(inner)]),
      );
    }
    return value;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(mutation)))
    .digest('hex');
}

const conflict = failure(
  'conflict',
  'This change reuses the id of a different change. It was not applied; the app should send it again with a new id.',
);

type Reader = Store['db'] | Trx;

/**
 * The recorded answer for this client id, if any: the same answer for the same mutation
 * (with the message as it is now, so a late retry sees its current status), 'conflict'
 * for a different one.
 */
async function recordedAnswer(
  db: Reader,
  agentId: string,
  mutation: Mutation,
  fingerprint: string,
): Promise<MutationResult | null> {
  const row = await db
    .selectFrom('mutations')
    .select(['agent_id', 'type', 'result'])
    .where('client_id', '=', mutation.clientId)
    .executeTakeFirst();
  if (row === undefined) return null;
  const recorded = RecordedSchema.safeParse(JSON.parse(row.result));
  if (
    !recorded.success ||
    row.agent_id !== agentId ||
    row.type !== mutation.type ||
    recorded.data.fingerprint !== fingerprint
  ) {
    return conflict;
  }
  const result = recorded.data.result;
  if (result.ok && result.message !== undefined) {
    const current = await db
      .selectFrom('messages')
      .select(MESSAGE_COLUMNS)
      .where('id', '=', result.message.id)
      .executeTakeFirst();
    if (current !== undefined) return { ok: true, message: messageFromRow(current) };
  }
  return result;
}

function recorderFor(agentId: string, mutation: Mutation, fingerprint: string): MutationRecorder {
  return {
    prior: (trx) => recordedAnswer(trx, agentId, mutation, fingerprint),
    record: async (trx, result) => {
      await trx
        .insertInto('mutations')
        .values({
          client_id: mutation.clientId,
          agent_id: agentId,
          type: mutation.type,
          result: JSON.stringify({ fingerprint, result }),
          created_at: Date.now(),
        })
        .execute();
    },
  };
}

/**
 * Applies one mutation exactly once per client id: a repeat (the outbox resending after a
 * lost acknowledgement, or a restart) gets the recorded answer and changes nothing.
 */
export async function runMutation(deps: MutationDeps, agentId: string, payload: unknown): Promise<MutationResult> {
  const parsed = MutationSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` at ${issue.path.join('.') || 'the top level'}: ${issue.message}`;
    return failure('bad_request', `The change is malformed${where}.`);
  }
  const mutation = parsed.data;
  const fingerprint = fingerprintOf(mutation);
  // Fast path outside any write; the recorder checks again inside the write, where a
  // concurrent twin of this mutation would be seen.
  const known = await recordedAnswer(deps.store.db, agentId, mutation, fingerprint);
  if (known !== null) return known;
  const recorder = recorderFor(agentId, mutation, fingerprint);
  // Any signed-in agent may act on any conversation for now; each command checks that
  // what it touches exists.
  switch (mutation.type) {
    case 'message.send':
      return deps.outbound.send(agentId, mutation, recorder);
    case 'message.react':
      return deps.outbound.react(agentId, mutation, recorder);
    case 'conversation.markRead':
      return deps.outbound.markRead(agentId, mutation, recorder);
    case 'message.note':
    case 'conversation.assign':
    case 'conversation.setStatus':
    case 'conversation.label':
      return runConversationMutation(deps.store, agentId, mutation, recorder);
    case 'contact.merge':
      return deps.store.write(async (trx, changes) => {
        const prior = await recorder.prior(trx);
        if (prior !== null) return prior;
        const result = await mergeContactsIn(trx, changes, mutation.sourceContactId, mutation.targetContactId);
        await recorder.record(trx, result);
        return result;
      });
  }
}

/** `mutate` and `typing` on one socket; both only after hello. */
export function registerMutations(socket: ParleySocket, deps: MutationDeps): void {
  socket.on('mutate', (payload, ack) => {
    if (typeof ack !== 'function') return;
    if (!socket.data.helloDone) {
      ack(failure('handshake_required', 'Say hello before sending changes.'));
      return;
    }
    runMutation(deps, socket.data.agentId, payload).then(ack, (error: unknown) => {
      deps.log.error({ err: error }, 'mutation failed');
      // Nothing was recorded (the transaction rolled back): the outbox may send it again.
      ack(failure('internal', 'The server could not apply this change. It will be tried again.'));
    });
  });

  socket.on('typing', (payload) => {
    if (!socket.data.helloDone) return;
    const typing = TypingSchema.safeParse(payload);
    // Best effort: a malformed indicator is dropped, never answered.
    if (!typing.success) return;
    deps.outbound.typing(typing.data.conversationId);
  });
}
