import { type Channel, type FailureReason, type MessageError } from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { Selectable } from 'kysely';
import { type z } from 'zod';
import { MediaRefusedError, type MediaService } from '../media/index.js';
import type { Database } from '../../platform/schema.js';
import type { ChangeSet, Store, Trx } from '../../platform/store.js';
import {
  attemptLimit,
  exhaustedMessageError,
  isPairRateError,
  isWindowError,
  platformMessageError,
  unknownDeliveryError,
} from './failures.js';
import {
  AttachmentUploadResponseSchema,
  type GraphClient,
  GraphError,
  MediaUploadResponseSchema,
  MessagingSendResponseSchema,
  WhatsAppSendResponseSchema,
  backoffDelay,
  describeGraphError,
} from './graph.js';
import { messagingAttachmentType, messagingSendBody, whatsappSendBody, type SendJob } from './payloads.js';
import { type Throttle } from '../../platform/throttle.js';

import type { JobState, OutboundTuning } from './worker.js';

type JobRow = Selectable<Database['outbound_jobs']>;
type AccountRow = Selectable<Database['channel_accounts']>;

const STATUS_ORDER = ['pending', 'sent', 'delivered', 'read'];

/** What a send borrows from the worker that runs it: the clients, the pacing and the job's bookkeeping. */
export type SendContext = {
  deps: { store: Store; media: MediaService; log: FastifyBaseLogger };
  graph: GraphClient;
  throttle: Throttle;
  tuning(): OutboundTuning;
  signal: AbortSignal;
  post<T extends z.ZodType>(account: AccountRow, channel: Channel, body: unknown, schema: T): Promise<z.infer<T>>;
  claim(jobId: string, state: JobState, from: readonly JobState[]): Promise<boolean>;
  finish(jobId: string, state: 'done' | 'failed', lastError: string | null): Promise<void>;
  requeue(job: JobRow, attempts: number, at: number, lastError: string): Promise<void>;
};

/**
 * The message.send job: upload the file if there is one, make the one call, and record
 * Meta's answer on the message (sent, failed with its reason, or retried later).
 */
export class SendJobs {
  constructor(private readonly ctx: SendContext) {}

  async run(job: JobRow, payload: SendJob, account: AccountRow): Promise<void> {
    const { db } = this.ctx.deps.store;
    const message =
      job.message_id === null
        ? undefined
        : await db.selectFrom('messages').select(['id', 'status']).where('id', '=', job.message_id).executeTakeFirst();
    if (message === undefined || message.status !== 'pending') {
      await this.ctx.finish(job.id, 'done', 'the message was no longer pending');
      return;
    }
    const quoted =
      payload.replyToMessageId === null
        ? undefined
        : await db
            .selectFrom('messages')
            .select('external_id')
            .where('id', '=', payload.replyToMessageId)
            .executeTakeFirst();
    const quotedExternalId = quoted?.external_id ?? null;

    let platformMediaId: string | null = null;
    let sendPayload = payload;
    if (payload.content.kind === 'media') {
      platformMediaId = payload.content.uploadedId;
      if (platformMediaId === null) {
        if (!(await this.ctx.claim(job.id, 'preparing', ['queued']))) return;
        try {
          platformMediaId = await this.upload(payload, payload.content.mediaId, account);
        } catch (error) {
          if (this.ctx.signal.aborted) return;
          await this.sendFailed(job, payload, account, error, 'upload');
          return;
        }
        // Kept, so that a retry of the send reuses the upload instead of making another.
        sendPayload = { ...payload, content: { ...payload.content, uploadedId: platformMediaId } };
        await db
          .updateTable('outbound_jobs')
          .set({ payload: JSON.stringify(sendPayload), updated_at: Date.now() })
          .where('id', '=', job.id)
          .execute();
      }
    }
    const body =
      payload.channel === 'whatsapp'
        ? whatsappSendBody(sendPayload, quotedExternalId, platformMediaId)
        : messagingSendBody(sendPayload, quotedExternalId, platformMediaId);

    // Durably marked before the call: from here, a crash must never lead to a second call.
    if (!(await this.ctx.claim(job.id, 'in_flight', ['queued', 'preparing']))) return;
    let externalId: string;
    try {
      if (payload.channel === 'whatsapp') {
        const answer = await this.ctx.post(account, payload.channel, body, WhatsAppSendResponseSchema);
        externalId = answer.messages[0]?.id ?? '';
      } else {
        const answer = await this.ctx.post(account, payload.channel, body, MessagingSendResponseSchema);
        externalId = answer.message_id;
      }
    } catch (error) {
      // Shutting down: the job stays in flight, and the next start settles it without a call.
      if (this.ctx.signal.aborted) return;
      await this.sendFailed({ ...job, payload: JSON.stringify(sendPayload) }, sendPayload, account, error, 'send');
      return;
    }
    await this.sendSucceeded(job, payload, externalId);
  }

  private async upload(payload: SendJob, mediaId: string, account: AccountRow): Promise<string> {
    const file = await this.ctx.deps.media.readForSend(mediaId, payload.channel);
    const blob = new Blob([new Uint8Array(file.bytes)], { type: file.mimeType });
    const fileName = file.fileName ?? `file.${file.mimeType.split('/')[1] ?? 'bin'}`;
    const form = new FormData();
    if (payload.channel === 'whatsapp') {
      form.append('messaging_product', 'whatsapp');
      form.append('type', file.mimeType);
      form.append('file', blob, fileName);
      const answer = await this.ctx.graph.request({
        method: 'POST',
        channel: payload.channel,
        token: account.access_token,
        path: [account.external_id, 'media'],
        form,
        schema: MediaUploadResponseSchema,
        signal: this.ctx.signal,
      });
      return answer.id;
    }
    form.append(
      'message',
      JSON.stringify({ attachment: { type: messagingAttachmentType(file.kind), payload: { is_reusable: true } } }),
    );
    form.append('filedata', blob, fileName);
    const answer = await this.ctx.graph.request({
      method: 'POST',
      channel: payload.channel,
      token: account.access_token,
      path: [account.external_id, 'message_attachments'],
      form,
      schema: AttachmentUploadResponseSchema,
      signal: this.ctx.signal,
    });
    return answer.attachment_id;
  }

  private async sendSucceeded(job: JobRow, payload: SendJob, externalId: string): Promise<void> {
    const messageId = job.message_id;
    if (messageId === null) return;
    await this.ctx.deps.store.write(async (trx, changes) => {
      let status = 'sent';
      // An echo of this very message may have been stored before its id was known here:
      // ours is kept (it has the author and client id), the echo's row goes.
      const echo = await trx
        .selectFrom('messages')
        .select(['id', 'status'])
        .where('channel', '=', payload.channel)
        .where('external_id', '=', externalId)
        .where('id', '!=', messageId)
        .executeTakeFirst();
      if (echo !== undefined) {
        if (STATUS_ORDER.indexOf(echo.status) > STATUS_ORDER.indexOf(status)) status = echo.status;
        await trx.deleteFrom('messages').where('id', '=', echo.id).execute();
      }
      await trx
        .updateTable('messages')
        .set({ external_id: externalId, status, error: null, seq: await changes.nextSeq('message', messageId) })
        .where('id', '=', messageId)
        .execute();
      await trx
        .updateTable('outbound_jobs')
        .set({ state: 'done', last_error: null, updated_at: Date.now() })
        .where('id', '=', job.id)
        .execute();
    });
  }

  private async sendFailed(
    job: JobRow,
    payload: SendJob,
    account: AccountRow,
    error: unknown,
    stage: 'upload' | 'send',
  ): Promise<void> {
    const { channel } = payload;
    if (!(error instanceof GraphError)) {
      // Not Meta: the file could not be read (removed, storage failing).
      const why = error instanceof Error ? error.message.slice(0, 300) : 'unknown reason';
      const refusal = error instanceof MediaRefusedError ? error.refusal : null;
      await this.failSend(
        job,
        {
          code: 'media_invalid',
          reason: refusal?.reason ?? 'media_unreadable',
          params: { ...refusal?.params, channel },
          message: '',
        },
        why,
      );
      return;
    }
    const info = error.info;
    const lastError = describeGraphError(info);
    if (stage === 'send' && info.delivery === 'unknown') {
      // The request may have reached Meta: sending again could deliver it twice.
      await this.failSend(job, unknownDeliveryError(channel, info.cause ?? 'connection_lost'), lastError);
      return;
    }
    if (stage === 'send' && isWindowError(channel, info)) {
      await this.windowClosedByPlatform(job, payload, account, lastError);
      return;
    }
    if (info.retryable || (stage === 'upload' && info.delivery === 'unknown')) {
      const attempts = Number(job.attempts) + 1;
      if (attempts >= attemptLimit(channel, info, this.ctx.tuning().maxAttempts)) {
        await this.failSend(job, exhaustedMessageError(channel, info, attempts), lastError);
        return;
      }
      const now = Date.now();
      let delay = backoffDelay(attempts, this.ctx.tuning().retryBaseMs, this.ctx.tuning().retryMaxMs);
      if (isPairRateError(channel, info)) {
        delay = Math.max(delay, this.ctx.tuning().pairRateDelayMs);
        this.ctx.throttle.delayPair(account.id, payload.recipient, now + this.ctx.tuning().pairRateDelayMs);
      }
      this.ctx.deps.log.info({ job: job.id, attempts, delay, error: lastError }, 'outbound: send will be retried');
      await this.ctx.requeue(job, attempts, now + delay, lastError);
      return;
    }
    await this.failSend(job, platformMessageError(channel, info), lastError);
  }

  private async failSend(job: JobRow, error: MessageError, lastError: string): Promise<void> {
    this.ctx.deps.log.warn({ job: job.id, code: error.code, error: lastError }, 'outbound: message failed');
    await this.ctx.deps.store.write(async (trx, changes) => {
      await trx
        .updateTable('outbound_jobs')
        .set({ state: 'failed', last_error: lastError, updated_at: Date.now() })
        .where('id', '=', job.id)
        .execute();
      if (job.message_id !== null) await this.failMessageIn(trx, changes, job.message_id, error);
    });
  }

  async failMessageIn(trx: Trx, changes: ChangeSet, messageId: string, error: MessageError): Promise<void> {
    const current = await trx.selectFrom('messages').select('status').where('id', '=', messageId).executeTakeFirst();
    if (current?.status !== 'pending') return;
    await trx
      .updateTable('messages')
      .set({ status: 'failed', error: JSON.stringify(error), seq: await changes.nextSeq('message', messageId) })
      .where('id', '=', messageId)
      .execute();
  }

  /**
   * Meta says the window has closed (WhatsApp 131047/470, Messenger/Instagram (#10)/2018278):
   * the clocks disagreed. The conversation's window moves to what Meta says, so the composer
   * shows the right state, and the message fails; resending the same payload cannot work.
   */
  private async windowClosedByPlatform(
    job: JobRow,
    payload: SendJob,
    account: AccountRow,
    lastError: string,
  ): Promise<void> {
    const now = Date.now();
    const conversationId = job.conversation_id;
    await this.ctx.deps.store.write(async (trx, changes) => {
      let code: 'window_closed' | 'human_agent_required' = 'window_closed';
      // The platform closed the window: the same reasons as a refusal made before the call.
      let reason: FailureReason =
        payload.channel === 'whatsapp' ? 'window_template_only' : 'window_closed_until_customer_writes';
      if (conversationId !== null) {
        const conversation = await trx
          .selectFrom('conversations')
          .select(['window_open_until', 'human_agent_until'])
          .where('id', '=', conversationId)
          .executeTakeFirst();
        if (conversation !== undefined) {
          const until = (value: number | null): number => (value === null ? now : Math.min(Number(value), now));
          const humanAgentUntil =
            payload.channel === 'whatsapp'
              ? conversation.human_agent_until
              : payload.messagingType === 'HUMAN_AGENT'
                ? until(conversation.human_agent_until)
                : conversation.human_agent_until;
          if (
            payload.channel !== 'whatsapp' &&
            payload.messagingType === 'RESPONSE' &&
            Number(account.human_agent_enabled) === 1 &&
            humanAgentUntil !== null &&
            Number(humanAgentUntil) > now
          ) {
            code = 'human_agent_required';
            reason = 'human_agent_tag_required';
          }
          await trx
            .updateTable('conversations')
            .set({
              window_open_until: until(conversation.window_open_until),
              human_agent_until: humanAgentUntil,
              seq: await changes.nextSeq('conversation', conversationId),
            })
            .where('id', '=', conversationId)
            .execute();
        }
      }
      await trx
        .updateTable('outbound_jobs')
        .set({ state: 'failed', last_error: lastError, updated_at: now })
        .where('id', '=', job.id)
        .execute();
      if (job.message_id !== null) {
        await this.failMessageIn(trx, changes, job.message_id, {
          code,
          reason,
          params: { channel: payload.channel, byPlatform: true },
          message: '',
        });
      }
    });
  }
}
