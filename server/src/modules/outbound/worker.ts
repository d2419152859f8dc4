import { ChannelSchema, type Channel, type Failure, type MutationResult } from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { sql, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { z } from 'zod';
import type { ServerConfig } from '../../platform/config.js';
import type { MutationGate } from '../../platform/mutation-gate.js';
import { type MediaService } from '../media/index.js';
import type { Database } from '../../platform/schema.js';
import type { Store } from '../../platform/store.js';
import {
  applyMarkRead,
  applyReact,
  applySend,
  prepareMedia,
  type MarkReadMutation,
  type PreparedMedia,
  type ReactMutation,
  type SendMutation,
} from './commands.js';
import { unknownDeliveryError } from './failures.js';
import { GraphClient, type GraphCallRecord } from './graph.js';
import { JobPayloadSchema, type JobPayload } from './payloads.js';
import { ActionJobs, ActionResponseSchema } from './actions.js';
import { SendJobs, type SendContext } from './sends.js';
import { TemplateSync } from './template-sync.js';
import { TEMPLATE_SYNC_INTERVAL_MS, type TemplateSyncResult } from './templates.js';
import { TypingIndicators } from './typing.js';
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

/** The states of a job not yet settled. */
const UNFINISHED: readonly JobState[] = ['queued', 'preparing', 'in_flight'];

/** A lease nobody holds, or one its node let lapse (it died, or lost the database). */
function leaseLapsed(now: number): RawBuilder<SqlBool> {
  return sql<SqlBool>`(lease_until is null or lease_until < ${now})`;
}

/** Whether a job's lease, as read, is free to take. */
function lapsed(job: Pick<JobRow, 'lease_until'>, now: number): boolean {
  return job.lease_until === null || Number(job.lease_until) < now;
}

/**
 * Sends agents' messages, reactions and read receipts through Meta's Graph API, from
 * durable jobs: one call per job at most, in order within a conversation, paced per
 * business number, retried with backoff only when Meta's answer says the call did nothing.
 *
 * Several nodes may share the queue. A node runs a job only under its lease (the job's
 * `lease_owner` and `lease_until`, taken by a conditional update that one node alone can
 * win), renews the leases of the jobs it runs, and moves a job from state to state only
 * while it still holds it. A job whose lease lapsed is another node's to settle: queued or
 * preparing, it runs again; in flight, its call may have reached Meta, so it is never made
 * again.
 */
export class OutboundService {
  readonly graph: GraphClient;
  private tuning: OutboundTuning = { ...DEFAULT_TUNING };
  private readonly throttle = Throttle.of(() => this.deps.store);
  private readonly running = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();
  private ready: Promise<void> = Promise.resolve();
  private started = false;
  private disposed = false;
  private passing = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  /** This node's name on the leases it takes. */
  readonly nodeId: string;
  private readonly leaseMs: number;
  private readonly templates: TemplateSync;
  private readonly sends: SendJobs;
  private readonly actions: ActionJobs;
  private readonly typingIndicators: TypingIndicators;

  constructor(
    readonly deps: {
      store: Store;
      media: MediaService;
      config: ServerConfig;
      log: FastifyBaseLogger;
      /** Told of every Graph API call and Meta's error if any (the metrics). */
      observeGraph?: (call: GraphCallRecord) => void;
    },
  ) {
    this.nodeId = deps.config.nodeId;
    this.leaseMs = deps.config.jobLeaseMs;
    this.graph = new GraphClient({
      baseUrl: deps.config.graph.baseUrl,
      version: deps.config.graph.version,
      ...(deps.observeGraph === undefined ? {} : { observe: deps.observeGraph }),
    });
    const jobs: SendContext = {
      deps,
      graph: this.graph,
      throttle: this.throttle,
      tuning: () => this.tuning,
      signal: this.shutdown.signal,
      post: (account, channel, body, schema) => this.post(account, channel, body, schema),
      claim: (jobId, state, from) => this.claim(jobId, state, from),
      finish: (jobId, state, lastError) => this.finish(jobId, state, lastError),
      requeue: (job, attempts, at, lastError) => this.requeue(job, attempts, at, lastError),
    };
    this.sends = new SendJobs(jobs);
    this.actions = new ActionJobs(jobs);
    this.templates = new TemplateSync({
      store: deps.store,
      graph: this.graph,
      log: deps.log,
      signal: this.shutdown.signal,
    });
    this.typingIndicators = new TypingIndicators({
      store: deps.store,
      log: deps.log,
      throttle: this.throttle,
      intervalMs: () => this.tuning.typingIntervalMs,
      post: (account, channel, body) => this.post(account, channel, body, ActionResponseSchema),
    });
  }

  /** Changes the worker's knobs (tests shorten the waits); takes effect from the next job. */
  tune(patch: Partial<OutboundTuning>): void {
    this.tuning = { ...this.tuning, ...patch };
    if (this.started && !this.disposed && patch.templateSyncIntervalMs !== undefined) {
      this.templates.schedule(this.tuning.templateSyncIntervalMs);
    }
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.ready = this.recover().catch((error: unknown) => {
      this.deps.log.error({ err: error }, 'outbound: recovery of interrupted jobs failed');
    });
    // Renewed well before they lapse, so a slow query or two cannot lose them.
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
    this.kick();
    void this.templates.run();
    this.templates.schedule(this.tuning.templateSyncIntervalMs);
  }

  /** Resolves once the start-up recovery has settled what stopped nodes left (never rejects). */
  recovered(): Promise<void> {
    return this.ready;
  }

  /** Jobs waiting or under way (the metrics' queue depth). */
  async queueDepth(): Promise<number> {
    const row = await this.deps.store.db
      .selectFrom('outbound_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'in', ['queued', 'preparing', 'in_flight'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Stops the worker. Calls under way get `graceMs` (default: the tuning's shutdown grace)
   * to finish and be recorded.
   */
  async dispose(graceMs?: number): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    const templateSync = this.templates.stop();
    // Calls under way may finish and be recorded; past the grace they are abandoned, and
    // the next start settles them (a send becomes "unknown delivery", never a second call).
    const settled = Promise.allSettled([...this.running.values(), ...this.typingIndicators.inFlight()]);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      settled,
      new Promise<void>((resolve) => {
        grace = setTimeout(resolve, graceMs ?? this.tuning.shutdownGraceMs);
      }),
    ]);
    clearTimeout(grace);
    this.shutdown.abort();
    await settled;
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    if (this.started)
      await this.releaseLeases().catch((error: unknown) => {
        this.deps.log.warn({ err: error }, 'outbound: leases not released; they lapse on their own');
      });
    await templateSync;
  }

  /**
   * Gives back what this node holds and will not finish, so that another node takes it at
   * once rather than when the lease lapses: a job not begun (or an upload cut off) goes back
   * to the queue; a call abandoned in flight is left for any node to settle, without a call.
   */
  private async releaseLeases(): Promise<void> {
    const { db } = this.deps.store;
    const now = Date.now();
    await db
      .updateTable('outbound_jobs')
      .set({ state: 'queued', lease_owner: null, lease_until: null, updated_at: now })
      .where('lease_owner', '=', this.nodeId)
      .where('state', 'in', ['queued', 'preparing'])
      .execute();
    await db
      .updateTable('outbound_jobs')
      .set({ lease_owner: null, lease_until: null })
      .where('lease_owner', '=', this.nodeId)
      .where('state', '=', 'in_flight')
      .execute();
  }

  /** The heartbeat: the jobs this node runs stay its own while it runs them. */
  private async renewLeases(): Promise<void> {
    const ids = [...this.running.keys()];
    if (ids.length === 0 || this.shutdown.signal.aborted) return;
    try {
      await this.deps.store.db
        .updateTable('outbound_jobs')
        .set({ lease_until: Date.now() + this.leaseMs })
        .where('id', 'in', ids)
        .where('lease_owner', '=', this.nodeId)
        .where('state', 'in', [...UNFINISHED])
        .execute();
    } catch (error) {
      this.deps.log.warn({ err: error }, 'outbound: leases could not be renewed');
    }
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

  /** A typing indicator for this conversation, if one may go now (see typing.ts). */
  typing(conversationId: string): void {
    if (!this.started || this.disposed) return;
    this.typingIndicators.send(conversationId);
  }

  /** Fetches every WhatsApp account's templates now (also runs at start and on a timer). */
  syncTemplates(): Promise<TemplateSyncResult[]> {
    return this.templates.run();
  }

  // -------------------------------------------------------------------------------------
  // The worker

  /**
   * At start: the jobs of a node that stopped are settled (see `settleLapsed`), and finished
   * jobs older than a week are dropped. Those still leased by a live node are left alone.
   */
  private async recover(): Promise<void> {
    const now = Date.now();
    await this.settleLapsed(now, true);
    // Finished jobs are kept a week for inspection, then dropped.
    await this.deps.store.db
      .deleteFrom('outbound_jobs')
      .where('state', 'in', ['done', 'failed'])
      .where('updated_at', '<', now - 7 * 24 * 60 * 60 * 1000)
      .execute();
  }

  /**
   * Settles the jobs whose node stopped between two states: their lease lapsed (at start,
   * also those this node's name held before a restart; and on SQLite, whose file one node
   * alone serves, every one). An upload is harmless to redo: the job is queued again.
   * A job found `in_flight` was interrupted between the call to Meta and recording its
   * answer: the call may have been made, so it is never made again. A send among them is
   * failed as "unknown delivery", in words the agent can act on.
   */
  private async settleLapsed(now: number, atStart: boolean): Promise<void> {
    const { store } = this.deps;
    const takeAll = atStart && store.engine === 'sqlite';
    const free = (): RawBuilder<SqlBool> =>
      takeAll
        ? sql<SqlBool>`1 = 1`
        : atStart
          ? sql<SqlBool>`(lease_until is null or lease_until < ${now} or lease_owner = ${this.nodeId})`
          : leaseLapsed(now);
    const busy = [...this.running.keys()];
    let preparing = store.db
      .updateTable('outbound_jobs')
      .set({ state: 'queued', lease_owner: null, lease_until: null, updated_at: now })
      .where('state', '=', 'preparing')
      .where(free());
    if (busy.length > 0) preparing = preparing.where('id', 'not in', busy);
    await preparing.execute();
    let query = store.db.selectFrom('outbound_jobs').selectAll().where('state', '=', 'in_flight').where(free());
    if (busy.length > 0) query = query.where('id', 'not in', busy);
    const interrupted = await query.execute();
    for (const job of interrupted) {
      const payload = JobPayloadSchema.safeParse(safeJson(job.payload));
      const channel: Channel = payload.success ? payload.data.channel : 'whatsapp';
      const settled = await store.write(async (trx, changes) => {
        // Only if it is still as read: a node that came back may have recorded the answer.
        const updated = await trx
          .updateTable('outbound_jobs')
          .set({
            state: 'failed',
            last_error: 'interrupted: the server stopped during the call',
            lease_owner: null,
            lease_until: null,
            updated_at: now,
          })
          .where('id', '=', job.id)
          .where('state', '=', 'in_flight')
          .where(free())
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        if (job.kind !== 'message.send' || job.message_id === null) return true;
        const error = unknownDeliveryError(channel, 'server_restarted');
        await this.sends.failMessageIn(trx, changes, job.message_id, error);
        return true;
      });
      if (settled) {
        this.deps.log.warn(
          { job: job.id, kind: job.kind, node: job.lease_owner },
          'outbound: interrupted job not resent',
        );
      }
    }
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
    let pending = await db
      .selectFrom('outbound_jobs')
      .selectAll()
      .where('state', 'in', [...UNFINISHED])
      .orderBy('id')
      .execute();
    // The sweep, on every node: a job left between two states by a node whose lease lapsed.
    const stranded = pending.some((job) => job.state !== 'queued' && !this.running.has(job.id) && lapsed(job, now));
    if (stranded) {
      await this.settleLapsed(now, false);
      pending = await db
        .selectFrom('outbound_jobs')
        .selectAll()
        .where('state', 'in', [...UNFINISHED])
        .orderBy('id')
        .execute();
    }
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
      // Another node runs it.
      if (!lapsed(job, now) && job.lease_owner !== this.nodeId) continue;
      const due = Number(job.next_attempt_at);
      if (due > now) {
        wake = Math.min(wake, due);
        continue;
      }
      if (this.running.size >= this.tuning.maxConcurrent) break;
      const payload = JobPayloadSchema.safeParse(safeJson(job.payload));
      const account = accounts.get(job.channel_account_id);
      if (!payload.success || account === undefined) {
        if (await this.lease(job.id, now)) {
          await this.abandon(job, payload.success ? 'the business account was removed' : 'unreadable job');
        }
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
      const run = this.leaseAndRun(job, payload.data, account, now)
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

  /** Runs the job under this node's lease, if it can take it; gives the lease back if the job is queued again. */
  private async leaseAndRun(job: JobRow, payload: JobPayload, account: AccountRow, now: number): Promise<void> {
    // Taken by another node since the queue was read: its turn, not ours.
    if (!(await this.lease(job.id, now))) return;
    try {
      await this.runJob(job, payload, account);
    } finally {
      await this.unlease(job.id).catch((error: unknown) => {
        this.deps.log.warn({ job: job.id, err: error }, 'outbound: lease not released; it lapses on its own');
      });
    }
  }

  private async runJob(job: JobRow, payload: JobPayload, account: AccountRow): Promise<void> {
    switch (payload.kind) {
      case 'message.send':
        return this.sends.run(job, payload, account);
      case 'message.react':
        return this.actions.runReact(job, payload, account);
      case 'conversation.markRead':
        return this.actions.runRead(job, payload, account);
    }
  }

  /**
   * Takes a queued, due job for this node: one conditional update, which only one node can
   * win, and only while nobody else's lease holds it.
   */
  private async lease(jobId: string, now: number): Promise<boolean> {
    const result = await this.deps.store.db
      .updateTable('outbound_jobs')
      .set({ lease_owner: this.nodeId, lease_until: Date.now() + this.leaseMs })
      .where('id', '=', jobId)
      .where('state', '=', 'queued')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_owner', '=', this.nodeId), leaseLapsed(now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** A job that went back to the queue (or never left it) is anyone's again. */
  private async unlease(jobId: string): Promise<void> {
    await this.deps.store.db
      .updateTable('outbound_jobs')
      .set({ lease_owner: null, lease_until: null })
      .where('id', '=', jobId)
      .where('lease_owner', '=', this.nodeId)
      .where('state', '=', 'queued')
      .execute();
  }

  /**
   * Moves the job to `state` if it is still in one of `from` and still this node's; false
   * when something else took it (another node, after this one's lease lapsed).
   */
  private async claim(jobId: string, state: JobState, from: readonly JobState[]): Promise<boolean> {
    const now = Date.now();
    const result = await this.deps.store.db
      .updateTable('outbound_jobs')
      .set({ state, lease_until: now + this.leaseMs, updated_at: now })
      .where('id', '=', jobId)
      .where('state', 'in', [...from])
      .where('lease_owner', '=', this.nodeId)
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
        await this.sends.failMessageIn(trx, changes, job.message_id, {
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
      .set({
        state: 'queued',
        attempts,
        next_attempt_at: at,
        last_error: lastError,
        lease_owner: null,
        lease_until: null,
        updated_at: Date.now(),
      })
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
