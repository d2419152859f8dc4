import {
  ChannelSchema,
  ReactionSchema,
  type Channel,
  type Failure,
  type FailureReason,
  type MessageError,
  type MutationResult,
} from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { ServerConfig } from '../../platform/config.js';
import type { MutationGate } from '../../platform/mutation-gate.js';
import { MediaRefusedError, type MediaService } from '../media/index.js';
import type { Database } from '../../platform/schema.js';
import type { ChangeSet, Store, Trx } from '../../platform/store.js';
import {
  applyMarkRead,
  applyReact,
  applySend,
  prepareMedia,
  typingTarget,
  type MarkReadMutation,
  type PreparedMedia,
  type ReactMutation,
  type SendMutation,
} from './commands.js';
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
  GraphClient,
  GraphError,
  MediaUploadResponseSchema,
  MessagingSendResponseSchema,
  SenderActionResponseSchema,
  SuccessResponseSchema,
  WhatsAppSendResponseSchema,
  backoffDelay,
  describeGraphError,
} from './graph.js';
import {
  JobPayloadSchema,
  messagingAttachmentType,
  messagingReactionBody,
  messagingSendBody,
  senderActionBody,
  whatsappReactionBody,
  whatsappReadBody,
  whatsappSendBody,
  type JobPayload,
  type ReactJob,
  type ReadJob,
  type SendJob,
} from './payloads.js';
import { TEMPLATE_SYNC_INTERVAL_MS, syncAccountTemplates, type TemplateSyncResult } from './templates.js';
import { Throttle } from '../../platform/throttle.js';

/** Knobs of the worker; the defaults suit Meta, tests shorten the waits. */
export type OutboundTuning = {
  /** First retry after about this long, doubling each time (with jitter). */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Tries of a retryable failure before the message is failed for good. */
  maxAttempts: number;
  /** WhatsApp's pair rate is about one message every 6 s to the same customer. */
  pairRateDelayMs: number;
  /** Jobs running at once (each conversation has at most one). */
  maxConcurrent: number;
  /** How often the queue is looked at when nothing wakes the worker sooner. */
  idlePollMs: number;
  /** How long dispose lets calls under way finish before abandoning them. */
  shutdownGraceMs: number;
  templateSyncIntervalMs: number;
  /** At most one typing indicator per conversation this often (WhatsApp's lasts 25 s). */
  typingIntervalMs: number;
};

export const DEFAULT_TUNING: OutboundTuning = {
  retryBaseMs: 2_000,
  retryMaxMs: 5 * 60_000,
  maxAttempts: 6,
  pairRateDelayMs: 6_000,
  maxConcurrent: 8,
  idlePollMs: 2_000,
  shutdownGraceMs: 5_000,
  templateSyncIntervalMs: TEMPLATE_SYNC_INTERVAL_MS,
  typingIntervalMs: 10_000,
};

type JobRow = Selectable<Database['outbound_jobs']>;
type AccountRow = Selectable<Database['channel_accounts']>;

/** Job states. `preparing`: uploading a file (nothing sent yet). `in_flight`: the send call may have been made. */
export type JobState = 'queued' | 'preparing' | 'in_flight' | 'done' | 'failed';

const ActionResponseSchema = z.union([
  SuccessResponseSchema,
  SenderActionResponseSchema,
  WhatsAppSendResponseSchema,
  MessagingSendResponseSchema,
]);

const STATUS_ORDER = ['pending', 'sent', 'delivered', 'read'];

/**
 * Sends agents' messages, reactions and read receipts through Meta's Graph API, from
 * durable jobs: one call per job at most, in order within a conversation, paced per
 * business number, retried with backoff only when Meta's answer says the call did nothing.
 */
export class OutboundService {
  readonly graph: GraphClient;
  private tuning: OutboundTuning = { ...DEFAULT_TUNING };
  private readonly throttle = new Throttle();
  private readonly running = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();
  private ready: Promise<void> = Promise.resolve();
  private started = false;
  private disposed = false;
  private passing = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private templateTimer: NodeJS.Timeout | null = null;
  private templateSync: Promise<TemplateSyncResult[]> | null = null;
  private readonly typingSentAt = new Map<string, number>();
  private readonly typingCalls = new Set<Promise<void>>();

  constructor(readonly deps: { store: Store; media: MediaService; config: ServerConfig; log: FastifyBaseLogger }) {
    this.graph = new GraphClient({ baseUrl: deps.config.graph.baseUrl, version: deps.config.graph.version });
  }

  /** Changes the worker's knobs (tests shorten the waits); takes effect from the next job. */
  tune(patch: Partial<OutboundTuning>): void {
    this.tuning = { ...this.tuning, ...patch };
    if (this.started && !this.disposed && patch.templateSyncIntervalMs !== undefined) this.scheduleTemplateSync();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.ready = this.recover().catch((error: unknown) => {
      this.deps.log.error({ err: error }, 'outbound: recovery of interrupted jobs failed');
    });
    this.kick();
    void this.syncTemplates();
    this.scheduleTemplateSync();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.templateTimer !== null) clearInterval(this.templateTimer);
    // Calls under way may finish and be recorded; past the grace they are abandoned, and
    // the next start settles them (a send becomes "unknown delivery", never a second call).
    const settled = Promise.allSettled([...this.running.values(), ...this.typingCalls]);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      settled,
      new Promise<void>((resolve) => {
        grace = setTimeout(resolve, this.tuning.shutdownGraceMs);
      }),
    ]);
    clearTimeout(grace);
    this.shutdown.abort();
    await settled;
    await this.templateSync?.catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------
  // Mutations (called by the socket layer, which owns the mutation log)

  async send(agentId: string, mutation: SendMutation, gate: MutationGate): Promise<MutationResult> {
    let media: PreparedMedia | Failure | null = null;
    if (mutation.content.kind === 'media') {
      // Reading and checking the file is I/O: done before the write transaction.
      const conversation = await this.deps.store.db
        .selectFrom('conversations')
        .select('channel')
        .where('id', '=', mutation.conversationId)
        .executeTakeFirst();
      if (conversation !== undefined) {
        const channel = ChannelSchema.parse(conversation.channel);
        media = await prepareMedia(this.deps.media, mutation.content.mediaId, channel);
      }
    }
    const result = await applySend(this.deps.store, { agentId, mutation, media, gate, now: Date.now() });
    if (result.ok) this.kick();
    return result;
  }

  async react(agentId: string, mutation: ReactMutation, gate: MutationGate): Promise<MutationResult> {
    const result = await applyReact(this.deps.store, { agentId, mutation, gate, now: Date.now() });
    if (result.ok) this.kick();
    return result;
  }

  async markRead(agentId: string, mutation: MarkReadMutation, gate: MutationGate): Promise<MutationResult> {
    const result = await applyMarkRead(this.deps.store, { agentId, mutation, gate, now: Date.now() });
    if (result.ok) this.kick();
    return result;
  }

  /**
   * Best effort, never queued: a typing indicator that arrives late is worse than none.
   * WhatsApp's indicator also marks the customer's last message read (Meta ties the two).
   */
  typing(conversationId: string): void {
    if (!this.started || this.disposed) return;
    const now = Date.now();
    const last = this.typingSentAt.get(conversationId);
    if (last !== undefined && now - last < this.tuning.typingIntervalMs) return;
    this.typingSentAt.set(conversationId, now);
    if (this.typingSentAt.size > 5_000) {
      for (const [id, at] of this.typingSentAt)
        if (now - at >= this.tuning.typingIntervalMs) this.typingSentAt.delete(id);
    }
    const call = this.sendTyping(conversationId).catch((error: unknown) => {
      this.deps.log.debug({ conversationId, err: describeError(error) }, 'outbound: typing indicator not sent');
    });
    this.typingCalls.add(call);
    void call.finally(() => this.typingCalls.delete(call));
  }

  private async sendTyping(conversationId: string): Promise<void> {
    const target = await typingTarget(this.deps.store, conversationId);
    const now = Date.now();
    if (target === null || target.recipient === null) return;
    // Outside the window the platforms refuse it anyway.
    if (target.windowOpenUntil === null || target.windowOpenUntil <= now) return;
    if (target.channel === 'whatsapp' && target.lastInboundExternalId === null) return;
    const bucket = this.throttle.bucket(target.account.id, Number(target.account.throughput_per_second), now);
    if (!bucket.tryTake(now)) return;
    const body =
      target.channel === 'whatsapp'
        ? whatsappReadBody(target.lastInboundExternalId ?? '', true)
        : senderActionBody(target.recipient, 'typing_on');
    await this.post(target.account, target.channel, body, ActionResponseSchema);
  }

  // -------------------------------------------------------------------------------------
  // Templates

  /** Fetches every WhatsApp account's templates now (also runs at start and on a timer). */
  syncTemplates(): Promise<TemplateSyncResult[]> {
    if (this.disposed) return Promise.resolve([]);
    if (this.templateSync !== null) return this.templateSync;
    const run = (async (): Promise<TemplateSyncResult[]> => {
      const accounts = await this.deps.store.db
        .selectFrom('channel_accounts')
        .selectAll()
        .where('channel', '=', 'whatsapp')
        .where('waba_id', 'is not', null)
        .execute();
      const results: TemplateSyncResult[] = [];
      for (const account of accounts) {
        if (this.disposed) break;
        try {
          const result = await syncAccountTemplates(this.deps.store, this.graph, account, this.shutdown.signal);
          results.push(result);
          this.deps.log.info({ account: account.id, ...result }, 'outbound: templates synced');
        } catch (error) {
          this.deps.log.warn({ account: account.id, err: describeError(error) }, 'outbound: template sync failed');
        }
      }
      return results;
    })();
    this.templateSync = run;
    void run.finally(() => {
      if (this.templateSync === run) this.templateSync = null;
    });
    return run;
  }

  private scheduleTemplateSync(): void {
    if (this.templateTimer !== null) clearInterval(this.templateTimer);
    this.templateTimer = setInterval(() => void this.syncTemplates(), this.tuning.templateSyncIntervalMs);
    this.templateTimer.unref();
  }

  // -------------------------------------------------------------------------------------
  // The worker

  /**
   * Jobs found `in_flight` were interrupted between the call to Meta and recording its
   * answer: the call may have been made, so it is never made again. A send among them is
   * failed as "unknown delivery", in words the agent can act on.
   */
  private async recover(): Promise<void> {
    const now = Date.now();
    const { store } = this.deps;
    // An upload is harmless to redo: nothing reached the customer yet.
    await store.db
      .updateTable('outbound_jobs')
      .set({ state: 'queued', updated_at: now })
      .where('state', '=', 'preparing')
      .execute();
    const interrupted = await store.db
      .selectFrom('outbound_jobs')
      .selectAll()
      .where('state', '=', 'in_flight')
      .execute();
    for (const job of interrupted) {
      const payload = JobPayloadSchema.safeParse(safeJson(job.payload));
      const channel: Channel = payload.success ? payload.data.channel : 'whatsapp';
      await store.write(async (trx, changes) => {
        await trx
          .updateTable('outbound_jobs')
          .set({ state: 'failed', last_error: 'interrupted: the server stopped during the call', updated_at: now })
          .where('id', '=', job.id)
          .execute();
        if (job.kind !== 'message.send' || job.message_id === null) return;
        const error = unknownDeliveryError(channel, 'server_restarted');
        await this.failMessageIn(trx, changes, job.message_id, error);
      });
      this.deps.log.warn({ job: job.id, kind: job.kind }, 'outbound: interrupted job not resent');
    }
    // Finished jobs are kept a week for inspection, then dropped.
    await store.db
      .deleteFrom('outbound_jobs')
      .where('state', 'in', ['done', 'failed'])
      .where('updated_at', '<', now - 7 * 24 * 60 * 60 * 1000)
      .execute();
  }

  /** Looks at the queue now (after a mutation, a finished job, or a timer). */
  kick(): void {
    if (!this.started || this.disposed) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.passing = true;
    void (async () => {
      let wake = Date.now() + this.tuning.idlePollMs;
      try {
        await this.ready;
        do {
          this.again = false;
          wake = await this.pass();
        } while (this.again && !this.disposed);
      } catch (error) {
        this.deps.log.error({ err: error }, 'outbound: the queue could not be read');
      } finally {
        this.passing = false;
        this.schedule(wake);
      }
    })();
  }

  private schedule(wake: number): void {
    if (this.disposed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), Math.max(0, wake - Date.now()));
    this.timer.unref();
  }

  /** Starts every job that may run now; answers when to look again. */
  private async pass(): Promise<number> {
    const now = Date.now();
    let wake = now + this.tuning.idlePollMs;
    if (this.disposed) return wake;
    const { db } = this.deps.store;
    const pending = await db
      .selectFrom('outbound_jobs')
      .selectAll()
      .where('state', 'in', ['queued', 'preparing', 'in_flight'])
      .orderBy('id')
      .execute();
    // Only the oldest unfinished job of each conversation may run: that keeps the order
    // agents wrote in, even when an earlier message waits for a retry.
    const heads = new Map<string, JobRow>();
    for (const job of pending) {
      const key = job.conversation_id ?? job.id;
      if (!heads.has(key)) heads.set(key, job);
    }
    const accountIds = [...new Set([...heads.values()].map((job) => job.channel_account_id))];
    const accounts = new Map(
      accountIds.length === 0
        ? []
        : (await db.selectFrom('channel_accounts').selectAll().where('id', 'in', accountIds).execute()).map(
            (account) => [account.id, account] as const,
          ),
    );
    for (const job of heads.values()) {
      // dispose() may have begun while the queue was read: start nothing it will not wait for.
      if (this.disposed) break;
      if (job.state !== 'queued' || this.running.has(job.id)) continue;
      const due = Number(job.next_attempt_at);
      if (due > now) {
        wake = Math.min(wake, due);
        continue;
      }
      if (this.running.size >= this.tuning.maxConcurrent) break;
      const payload = JobPayloadSchema.safeParse(safeJson(job.payload));
      const account = accounts.get(job.channel_account_id);
      if (!payload.success || account === undefined) {
        await this.abandon(job, payload.success ? 'the business account was removed' : 'unreadable job');
        continue;
      }
      if (payload.data.channel === 'whatsapp') {
        const pairWait = this.throttle.pairWait(account.id, payload.data.recipient, now);
        if (pairWait > 0) {
          wake = Math.min(wake, now + pairWait);
          continue;
        }
      }
      // Every call to /messages counts against the number's throughput, reads included.
      const wait = this.throttle.bucket(account.id, Number(account.throughput_per_second), now).take(now);
      if (wait > 0) {
        wake = Math.min(wake, now + wait);
        continue;
      }
      const run = this.runJob(job, payload.data, account)
        .catch((error: unknown) => {
          this.deps.log.error({ job: job.id, err: error }, 'outbound: job crashed');
        })
        .finally(() => {
          this.running.delete(job.id);
          this.kick();
        });
      this.running.set(job.id, run);
    }
    return wake;
  }

  private async runJob(job: JobRow, payload: JobPayload, account: AccountRow): Promise<void> {
    switch (payload.kind) {
      case 'message.send':
        return this.runSend(job, payload, account);
      case 'message.react':
        return this.runReact(job, payload, account);
      case 'conversation.markRead':
        return this.runRead(job, payload, account);
    }
  }

  /** Moves the job to `state` if it is still in one of `from`; false when something else took it. */
  private async claim(jobId: string, state: JobState, from: readonly JobState[]): Promise<boolean> {
    const result = await this.deps.store.db
      .updateTable('outbound_jobs')
      .set({ state, updated_at: Date.now() })
      .where('id', '=', jobId)
      .where('state', 'in', [...from])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  private async finish(jobId: string, state: 'done' | 'failed', lastError: string | null): Promise<void> {
    await this.deps.store.db
      .updateTable('outbound_jobs')
      .set({ state, last_error: lastError, updated_at: Date.now() })
      .where('id', '=', jobId)
      .execute();
  }

  private async abandon(job: JobRow, why: string): Promise<void> {
    this.deps.log.error({ job: job.id, why }, 'outbound: job abandoned');
    await this.deps.store.write(async (trx, changes) => {
      await trx
        .updateTable('outbound_jobs')
        .set({ state: 'failed', last_error: why, updated_at: Date.now() })
        .where('id', '=', job.id)
        .execute();
      if (job.kind === 'message.send' && job.message_id !== null) {
        await this.failMessageIn(trx, changes, job.message_id, {
          code: 'send_failed',
          reason: 'send_abandoned',
          params: { channel: channelOfJob(job) },
          message: '',
        });
      }
    });
  }

  private async requeue(job: JobRow, attempts: number, at: number, lastError: string): Promise<void> {
    await this.deps.store.db
      .updateTable('outbound_jobs')
      .set({ state: 'queued', attempts, next_attempt_at: at, last_error: lastError, updated_at: Date.now() })
      .where('id', '=', job.id)
      .execute();
  }

  private async post<T extends z.ZodType>(
    account: AccountRow,
    channel: Channel,
    body: unknown,
    schema: T,
  ): Promise<z.infer<T>> {
    return this.graph.request({
      method: 'POST',
      channel,
      token: account.access_token,
      path: [account.external_id, 'messages'],
      json: body,
      schema,
      signal: this.shutdown.signal,
    });
  }

  // --- message.send -----------------------------------------------------------------------

  private async runSend(job: JobRow, payload: SendJob, account: AccountRow): Promise<void> {
    const { db } = this.deps.store;
    const message =
      job.message_id === null
        ? undefined
        : await db.selectFrom('messages').select(['id', 'status']).where('id', '=', job.message_id).executeTakeFirst();
    if (message === undefined || message.status !== 'pending') {
      await this.finish(job.id, 'done', 'the message was no longer pending');
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
        if (!(await this.claim(job.id, 'preparing', ['queued']))) return;
        try {
          platformMediaId = await this.upload(payload, payload.content.mediaId, account);
        } catch (error) {
          if (this.shutdown.signal.aborted) return;
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
    if (!(await this.claim(job.id, 'in_flight', ['queued', 'preparing']))) return;
    let externalId: string;
    try {
      if (payload.channel === 'whatsapp') {
        const answer = await this.post(account, payload.channel, body, WhatsAppSendResponseSchema);
        externalId = answer.messages[0]?.id ?? '';
      } else {
        const answer = await this.post(account, payload.channel, body, MessagingSendResponseSchema);
        externalId = answer.message_id;
      }
    } catch (error) {
      // Shutting down: the job stays in flight, and the next start settles it without a call.
      if (this.shutdown.signal.aborted) return;
      await this.sendFailed({ ...job, payload: JSON.stringify(sendPayload) }, sendPayload, account, error, 'send');
      return;
    }
    await this.sendSucceeded(job, payload, externalId);
  }

  private async upload(payload: SendJob, mediaId: string, account: AccountRow): Promise<string> {
    const file = await this.deps.media.readForSend(mediaId, payload.channel);
    const blob = new Blob([new Uint8Array(file.bytes)], { type: file.mimeType });
    const fileName = file.fileName ?? `file.${file.mimeType.split('/')[1] ?? 'bin'}`;
    const form = new FormData();
    if (payload.channel === 'whatsapp') {
      form.append('messaging_product', 'whatsapp');
      form.append('type', file.mimeType);
      form.append('file', blob, fileName);
      const answer = await this.graph.request({
        method: 'POST',
        channel: payload.channel,
        token: account.access_token,
        path: [account.external_id, 'media'],
        form,
        schema: MediaUploadResponseSchema,
        signal: this.shutdown.signal,
      });
      return answer.id;
    }
    form.append(
      'message',
      JSON.stringify({ attachment: { type: messagingAttachmentType(file.kind), payload: { is_reusable: true } } }),
    );
    form.append('filedata', blob, fileName);
    const answer = await this.graph.request({
      method: 'POST',
      channel: payload.channel,
      token: account.access_token,
      path: [account.external_id, 'message_attachments'],
      form,
      schema: AttachmentUploadResponseSchema,
      signal: this.shutdown.signal,
    });
    return answer.attachment_id;
  }

  private async sendSucceeded(job: JobRow, payload: SendJob, externalId: string): Promise<void> {
    const messageId = job.message_id;
    if (messageId === null) return;
    await this.deps.store.write(async (trx, changes) => {
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
      if (attempts >= attemptLimit(channel, info, this.tuning.maxAttempts)) {
        await this.failSend(job, exhaustedMessageError(channel, info, attempts), lastError);
        return;
      }
      const now = Date.now();
      let delay = backoffDelay(attempts, this.tuning.retryBaseMs, this.tuning.retryMaxMs);
      if (isPairRateError(channel, info)) {
        delay = Math.max(delay, this.tuning.pairRateDelayMs);
        this.throttle.delayPair(account.id, payload.recipient, now + this.tuning.pairRateDelayMs);
      }
      this.deps.log.info({ job: job.id, attempts, delay, error: lastError }, 'outbound: send will be retried');
      await this.requeue(job, attempts, now + delay, lastError);
      return;
    }
    await this.failSend(job, platformMessageError(channel, info), lastError);
  }

  private async failSend(job: JobRow, error: MessageError, lastError: string): Promise<void> {
    this.deps.log.warn({ job: job.id, code: error.code, error: lastError }, 'outbound: message failed');
    await this.deps.store.write(async (trx, changes) => {
      await trx
        .updateTable('outbound_jobs')
        .set({ state: 'failed', last_error: lastError, updated_at: Date.now() })
        .where('id', '=', job.id)
        .execute();
      if (job.message_id !== null) await this.failMessageIn(trx, changes, job.message_id, error);
    });
  }

  private async failMessageIn(trx: Trx, changes: ChangeSet, messageId: string, error: MessageError): Promise<void> {
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
    await this.deps.store.write(async (trx, changes) => {
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

  // --- reactions and read receipts -------------------------------------------------------

  private async runReact(job: JobRow, payload: ReactJob, account: AccountRow): Promise<void> {
    const target = await this.deps.store.db
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

  private async runRead(job: JobRow, payload: ReadJob, account: AccountRow): Promise<void> {
    const body =
      payload.channel === 'whatsapp'
        ? payload.lastInboundExternalId === null
          ? null
          : whatsappReadBody(payload.lastInboundExternalId, false)
        : senderActionBody(payload.recipient, 'mark_seen');
    if (body === null) {
      await this.finish(job.id, 'done', 'nothing to mark read');
      return;
    }
    await this.runAction(job, payload, account, body, (why) => this.finish(job.id, 'failed', why));
  }

  /** Reactions and reads are idempotent on Meta's side: retried even when the outcome is unknown. */
  private async runAction(
    job: JobRow,
    payload: ReactJob | ReadJob,
    account: AccountRow,
    body: Record<string, unknown>,
    failed: (why: string) => Promise<void>,
  ): Promise<void> {
    if (!(await this.claim(job.id, 'in_flight', ['queued']))) return;
    try {
      await this.post(account, payload.channel, body, ActionResponseSchema);
    } catch (error) {
      if (this.shutdown.signal.aborted) return;
      const info = error instanceof GraphError ? error.info : null;
      const why = info === null ? describeError(error) : describeGraphError(info);
      if (info !== null && info.retryable) {
        const attempts = Number(job.attempts) + 1;
        if (attempts < attemptLimit(payload.channel, info, this.tuning.maxAttempts)) {
          await this.requeue(
            job,
            attempts,
            Date.now() + backoffDelay(attempts, this.tuning.retryBaseMs, this.tuning.retryMaxMs),
            why,
          );
          return;
        }
      }
      this.deps.log.warn({ job: job.id, kind: job.kind, error: why }, 'outbound: action failed');
      await failed(why);
      return;
    }
    await this.finish(job.id, 'done', null);
  }

  /** A reaction Meta never took is taken off the message, so the thread shows the truth. */
  private async reactionFailed(job: JobRow, payload: ReactJob, why: string): Promise<void> {
    await this.deps.store.write(async (trx, changes) => {
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

/** The channel a job was for, if its payload still reads. */
function channelOfJob(job: JobRow): Channel | null {
  const payload = JobPayloadSchema.safeParse(safeJson(job.payload));
  return payload.success ? payload.data.channel : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeError(error: unknown): string {
  if (error instanceof GraphError) return describeGraphError(error.info);
  return error instanceof Error ? error.message : String(error);
}
