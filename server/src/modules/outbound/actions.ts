import { ReactionSchema } from '@parley/protocol';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../platform/schema.js';
import { attemptLimit } from './failures.js';
import {
  GraphError,
  MessagingSendResponseSchema,
  SenderActionResponseSchema,
  SuccessResponseSchema,
  WhatsAppSendResponseSchema,
  backoffDelay,
  describeGraphError,
} from './graph.js';
import {
  messagingReactionBody,
  senderActionBody,
  whatsappReactionBody,
  whatsappReadBody,
  type ReactJob,
  type ReadJob,
} from './payloads.js';
import type { SendContext } from './sends.js';

type JobRow = Selectable<Database['outbound_jobs']>;
type AccountRow = Selectable<Database['channel_accounts']>;

/** What Meta answers to a reaction, a read receipt or a typing indicator. */
export const ActionResponseSchema = z.union([
  SuccessResponseSchema,
  SenderActionResponseSchema,
  WhatsAppSendResponseSchema,
  MessagingSendResponseSchema,
]);

/**
 * The reaction and read-receipt jobs: one call each, retried with backoff when Meta's
 * answer allows, since both are idempotent on Meta's side. A reaction Meta never took is
 * taken off the message again.
 */
export class ActionJobs {
  constructor(private readonly ctx: SendContext) {}

  async runReact(job: JobRow, payload: ReactJob, account: AccountRow): Promise<void> {
    const target = await this.ctx.deps.store.db
      .selectFrom('messages')
      .select(['external_id', 'status'])
      .where('id', '=', payload.targetMessageId)
      .executeTakeFirst();
    // The message it reacts to was never sent (it failed, or is gone): nothing to react to.
    if (target === undefined || target.external_id === null) {
      await this.reactionFailed(job, payload, 'the message has no platform id: it was never sent');
      return;
    }
    const body =
      payload.channel === 'whatsapp'
        ? whatsappReactionBody(payload.recipient, target.external_id, payload.emoji)
        : messagingReactionBody(payload.recipient, target.external_id, payload.emoji);
    await this.runAction(job, payload, account, body, (why) => this.reactionFailed(job, payload, why));
  }

  async runRead(job: JobRow, payload: ReadJob, account: AccountRow): Promise<void> {
    const body =
      payload.channel === 'whatsapp'
        ? payload.lastInboundExternalId === null
          ? null
          : whatsappReadBody(payload.lastInboundExternalId, false)
        : senderActionBody(payload.recipient, 'mark_seen');
    if (body === null) {
      await this.ctx.finish(job.id, 'done', 'nothing to mark read');
      return;
    }
    await this.runAction(job, payload, account, body, (why) => this.ctx.finish(job.id, 'failed', why));
  }

  /** Reactions and reads are idempotent on Meta's side: retried even when the outcome is unknown. */
  private async runAction(
    job: JobRow,
    payload: ReactJob | ReadJob,
    account: AccountRow,
    body: Record<string, unknown>,
    failed: (why: string) => Promise<void>,
  ): Promise<void> {
    if (!(await this.ctx.claim(job.id, 'in_flight', ['queued']))) return;
    try {
      await this.ctx.post(account, payload.channel, body, ActionResponseSchema);
    } catch (error) {
      if (this.ctx.signal.aborted) return;
      const info = error instanceof GraphError ? error.info : null;
      const why = info === null ? describeError(error) : describeGraphError(info);
      if (info !== null && info.retryable) {
        const attempts = Number(job.attempts) + 1;
        if (attempts < attemptLimit(payload.channel, info, this.ctx.tuning().maxAttempts)) {
          await this.ctx.requeue(
            job,
            attempts,
            Date.now() + backoffDelay(attempts, this.ctx.tuning().retryBaseMs, this.ctx.tuning().retryMaxMs),
            why,
          );
          return;
        }
      }
      this.ctx.deps.log.warn({ job: job.id, kind: job.kind, error: why }, 'outbound: action failed');
      await failed(why);
      return;
    }
    await this.ctx.finish(job.id, 'done', null);
  }

  /** A reaction Meta never took is taken off the message, so the thread shows the truth. */
  private async reactionFailed(job: JobRow, payload: ReactJob, why: string): Promise<void> {
    await this.ctx.deps.store.write(async (trx, changes) => {
      await trx
        .updateTable('outbound_jobs')
        .set({ state: 'failed', last_error: why, updated_at: Date.now() })
        .where('id', '=', job.id)
        .execute();
      if (payload.emoji === '') return;
      const message = await trx
        .selectFrom('messages')
        .select('reactions')
        .where('id', '=', payload.targetMessageId)
        .executeTakeFirst();
      if (message === undefined) return;
      const reactions = z.array(ReactionSchema).parse(JSON.parse(message.reactions));
      const kept = reactions.filter((reaction) => !(reaction.from === 'agent' && reaction.emoji === payload.emoji));
      if (kept.length === reactions.length) return;
      await trx
        .updateTable('messages')
        .set({ reactions: JSON.stringify(kept), seq: await changes.nextSeq('message', payload.targetMessageId) })
        .where('id', '=', payload.targetMessageId)
        .execute();
    });
  }
}

export function describeError(error: unknown): string {
  if (error instanceof GraphError) return describeGraphError(error.info);
  return error instanceof Error ? error.message : String(error);
}
