import fsp from 'node:fs/promises';
import path from 'node:path';
import { AttachmentSchema, type Attachment, type Channel } from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { ServerConfig } from '../../platform/config.js';
import type { ChangeSet, Store, Trx } from '../../platform/store.js';
import { CopyError, fetchCopySource, type Downloaded } from './fetcher.js';
import { SAFE_ID, type MediaFiles, type MediaRow } from './files.js';
import { resolveMimeType, sniffMimeType } from './sniff.js';

/** How many copies run at once: enough to keep up, few enough for a small machine. */
const CONCURRENCY = 3;
/** Tries before a file whose source keeps failing is marked `failed`. */
const MAX_ATTEMPTS = 6;
/** Pause before try n+1, indexed by tries made so far; network blips clear in seconds. */
const RETRY_DELAYS_MS = [0, 1_000, 5_000, 30_000, 120_000, 600_000] as const;
/** A safety net: new rows normally wake the worker through the store's change feed. */
const POLL_MS = 5_000;
/** Scratch files older than this were left by a crash. */
const STALE_SCRATCH_MS = 60 * 60_000;

const retryDelay = (attempts: number): number =>
  RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length - 1)] ?? 600_000;

/** `updated_at + delay(attempts)`, in SQL, so a restart keeps the backoff. */
const DUE_AT = sql<number>`updated_at + (case attempts ${sql.raw(
  RETRY_DELAYS_MS.map((delay, attempts) => `when ${attempts} then ${delay}`).join(' '),
)} else ${sql.raw(String(RETRY_DELAYS_MS.at(-1) ?? 600_000))} end)`;

const AttachmentsSchema = z.array(AttachmentSchema);

type AttachmentPatch = Partial<Pick<Attachment, 'status' | 'size' | 'mimeType' | 'hasThumbnail' | 'animated'>>;

function errorWords(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 300) : 'an unknown error';
}

/** A copy nobody holds, or one whose node let its lease lapse. */
function leaseLapsed(now: number): RawBuilder<SqlBool> {
  return sql<SqlBool>`(lease_until is null or lease_until < ${now})`;
}

export type MediaCopyWorkerDeps = {
  store: Store;
  config: ServerConfig;
  log: FastifyBaseLogger;
  files: MediaFiles;
  /** Told of every Graph API call the copies make, and Meta's error if any (the metrics). */
  observeGraph?: (call: { channel: Channel; operation: string; error: string | null }) => void;
};

/**
 * Copies inbound media from Meta into our own storage and tells the messages that show
 * each file how its copy ended.
 *
 * Several nodes may share the copies: a node copies a file only under its lease (the
 * row's `lease_owner` and `lease_until`, taken by a conditional update one node alone can
 * win) and renews it while it copies. A copy whose node died is taken over once the lease
 * lapses; a copy is harmless to redo (the storage keys are the content's hash).
 */
export class MediaCopyWorker {
  private running = false;
  private poll: NodeJS.Timeout | null = null;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private unsubscribe: (() => void) | null = null;
  private readonly inFlight = new Map<string, Promise<void>>();
  private shutdown = new AbortController();
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly deps: MediaCopyWorkerDeps) {}

  /** Starts the copy worker; rows left pending by an earlier run are picked up at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.shutdown.signal.aborted) this.shutdown = new AbortController();
    void this.removeStaleScratch().catch((error: unknown) => {
      this.deps.log.warn({ err: error }, 'stale media scratch files could not be removed');
    });
    // Inbound media arrive as messages with pending attachments: copy them promptly.
    this.unsubscribe = this.deps.store.onChanges((batch) => {
      const pending = batch.changes.some(
        (change) =>
          change.entity === 'message' && change.data.attachments.some((attachment) => attachment.status === 'pending'),
      );
      if (pending) this.kick();
    });
    this.poll = setInterval(() => this.kick(), Math.min(POLL_MS, this.deps.config.jobLeaseMs));
    this.poll.unref();
    this.heartbeat = setInterval(
      () => void this.renewLeases(),
      Math.max(100, Math.floor(this.deps.config.jobLeaseMs / 3)),
    );
    this.heartbeat.unref();
    void this.recover()
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'media copy leases could not be recovered'))
      .finally(() => this.kick());
  }

  /**
   * The copies this node's name held before a restart are its own again at once (on
   * SQLite, whose file one node alone serves, every copy's); another node's wait until
   * their leases lapse.
   */
  private async recover(): Promise<void> {
    let query = this.deps.store.db
      .updateTable('media')
      .set({ lease_owner: null, lease_until: null })
      .where('status', '=', 'pending')
      .where('lease_owner', 'is not', null);
    if (this.deps.store.engine !== 'sqlite') query = query.where('lease_owner', '=', this.deps.config.nodeId);
    await query.execute();
  }

  /** The heartbeat: the copies under way stay this node's while it makes them. */
  private async renewLeases(): Promise<void> {
    const ids = [...this.inFlight.keys()];
    if (ids.length === 0 || this.shutdown.signal.aborted) return;
    try {
      await this.deps.store.db
        .updateTable('media')
        .set({ lease_until: Date.now() + this.deps.config.jobLeaseMs })
        .where('id', 'in', ids)
        .where('lease_owner', '=', this.deps.config.nodeId)
        .where('status', '=', 'pending')
        .execute();
    } catch (error) {
      this.deps.log.warn({ err: error }, 'media copy leases could not be renewed');
    }
  }

  /**
   * Stops the worker. Copies under way get `graceMs` to finish (a server stopping on
   * SIGTERM); past it, or with no grace, they stop and stay pending: the next start resumes them.
   */
  async dispose(graceMs = 0): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.poll !== null) clearInterval(this.poll);
    this.poll = null;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    if (graceMs > 0 && this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inFlight.values()]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.shutdown.abort();
    await this.ticking;
    await Promise.allSettled([...this.inFlight.values()]);
    if (this.heartbeat !== null) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
      // Copies cut off are anyone's again at once, rather than when their leases lapse.
      await this.deps.store.db
        .updateTable('media')
        .set({ lease_owner: null, lease_until: null })
        .where('lease_owner', '=', this.deps.config.nodeId)
        .where('status', '=', 'pending')
        .execute()
        .catch((error: unknown) => {
          this.deps.log.warn({ err: error }, 'media copy leases not released; they lapse on their own');
        });
    }
  }

  /** Copies waiting or under way (the metrics' queue depth). */
  async queueDepth(): Promise<number> {
    const row = await this.deps.store.db
      .selectFrom('media')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .where('source_kind', '!=', 'upload')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Looks for due work now rather than at the next poll. */
  kick(): void {
    if (!this.running) return;
    if (this.ticking !== null) {
      this.tickAgain = true;
      return;
    }
    this.ticking = this.tick()
      .catch((error: unknown) => this.deps.log.error({ err: error }, 'media worker failed to look for work'))
      .finally(() => {
        this.ticking = null;
        if (this.tickAgain) {
          this.tickAgain = false;
          this.kick();
        }
      });
  }

  private async tick(): Promise<void> {
    const free = CONCURRENCY - this.inFlight.size;
    if (!this.running || free <= 0) return;
    const now = Date.now();
    let query = this.deps.store.db
      .selectFrom('media')
      .selectAll()
      .where('status', '=', 'pending')
      .where('source_kind', '!=', 'upload')
      .where(DUE_AT, '<=', now)
      // Another node's copy under way is left to it.
      .where(leaseLapsed(now))
      .orderBy('created_at')
      .orderBy('id')
      .limit(free);
    const busy = [...this.inFlight.keys()];
    if (busy.length > 0) query = query.where('id', 'not in', busy);
    const rows = await query.execute();
    for (const row of rows) {
      if (!this.running) break;
      const claimed = await this.claim(row, now);
      if (claimed === null) continue;
      const job = this.copy(claimed)
        .catch((error: unknown) => this.deps.log.error({ err: error, mediaId: row.id }, 'media copy crashed'))
        .finally(() => {
          this.inFlight.delete(row.id);
          this.kick();
        });
      this.inFlight.set(row.id, job);
    }
  }

  /**
   * Takes the copy for this node if it is still pending and nobody's, counting the try (so
   * a crash in the middle still moves the backoff along): one conditional update, which only
   * one node can win. Null when another node was first.
   */
  private async claim(row: MediaRow, now: number): Promise<MediaRow | null> {
    const attempts = Number(row.attempts) + 1;
    const lease = { lease_owner: this.deps.config.nodeId, lease_until: now + this.deps.config.jobLeaseMs };
    const result = await this.deps.store.db
      .updateTable('media')
      .set({ attempts, updated_at: now, ...lease })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .where('attempts', '=', row.attempts)
      .where(leaseLapsed(now))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return null;
    return { ...row, attempts, updated_at: now, ...lease };
  }

  private async copy(row: MediaRow): Promise<void> {
    const attempt = Number(row.attempts);
    let file: Downloaded | null = null;
    try {
      await this.deps.files.whenReady();
      const fetched = await this.fetchSource(row);
      file = fetched.file;
      await this.keep(row, file, fetched.mimeType);
      file = null;
      this.deps.log.debug({ mediaId: row.id }, 'media copied');
    } catch (error) {
      if (this.shutdown.signal.aborted) return;
      const failure =
        error instanceof CopyError
          ? error
          : new CopyError('retry', `Parley could not store the file: ${errorWords(error)}`);
      if (!(error instanceof CopyError)) this.deps.log.warn({ err: error, mediaId: row.id }, 'media storage failed');
      if (failure.outcome === 'retry' && attempt < MAX_ATTEMPTS) {
        await this.deps.store.db
          .updateTable('media')
          .set({ error: failure.message, lease_owner: null, lease_until: null, updated_at: Date.now() })
          .where('id', '=', row.id)
          .where('lease_owner', '=', this.deps.config.nodeId)
          .execute();
        this.wakeAfter(retryDelay(attempt));
        this.deps.log.info({ mediaId: row.id, attempt, reason: failure.message }, 'media copy will be retried');
        return;
      }
      const status = failure.outcome === 'expired' ? 'expired' : 'failed';
      const words =
        failure.outcome === 'retry' ? `Gave up after ${attempt} tries. ${failure.message}` : failure.message;
      await this.settle(row.id, { status, error: words });
      this.deps.log.info({ mediaId: row.id, status, reason: words }, 'media copy ended without a file');
    } finally {
      if (file !== null) await fsp.rm(file.path, { force: true });
    }
  }

  private wakeAfter(delayMs: number): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.kick();
    }, delayMs + 50);
    timer.unref();
    this.retryTimers.add(timer);
  }

  /** Downloads a pending row's bytes into the scratch folder. */
  private async fetchSource(row: MediaRow): Promise<{ file: Downloaded; mimeType: string | null }> {
    const account =
      row.channel_account_id === null
        ? undefined
        : await this.deps.store.db
            .selectFrom('channel_accounts')
            .select(['channel', 'access_token'])
            .where('id', '=', row.channel_account_id)
            .executeTakeFirst();
    return fetchCopySource(row, {
      account,
      graph: this.deps.config.graph,
      scratchDir: this.deps.files.storage.scratchDir,
      signal: this.shutdown.signal,
      observe: (error) => this.deps.observeGraph?.({ channel: 'whatsapp', operation: 'media_url', error }),
    });
  }

  /** Stores a downloaded file, makes its thumbnail, and marks the row and its messages ready. */
  private async keep(row: MediaRow, file: Downloaded, platformMimeType: string | null): Promise<void> {
    const sniffed = sniffMimeType(file.head);
    const mimeType =
      platformMimeType ??
      resolveMimeType({ sniffed, declared: file.contentType, fileName: row.file_name }) ??
      'application/octet-stream';
    const stored = await this.deps.files.storeFile(file, { kind: row.kind, mimeType });
    await this.settle(row.id, {
      status: 'ready',
      error: null,
      size: file.size,
      mime_type: mimeType,
      sha256: file.sha256,
      storage_key: stored.storageKey,
      thumbnail_key: stored.thumbnailKey,
      animated: sniffed?.animated ?? false,
    });
  }

  /**
   * Records how a copy ended and tells every message that shows the file, each with a new
   * seq, so connected clients see the change live.
   */
  private async settle(
    mediaId: string,
    outcome: {
      status: 'ready' | 'failed' | 'expired';
      error: string | null;
      size?: number;
      mime_type?: string;
      sha256?: string;
      storage_key?: string;
      thumbnail_key?: string | null;
      animated?: boolean;
    },
  ): Promise<void> {
    const { animated, ...columns } = outcome;
    await this.deps.store.write(async (trx, changes) => {
      const updated = await trx
        .updateTable('media')
        .set({ ...columns, updated_at: Date.now() })
        .where('id', '=', mediaId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return;
      const patch: AttachmentPatch = { status: outcome.status };
      if (outcome.status === 'ready') {
        patch.size = outcome.size ?? null;
        patch.mimeType = outcome.mime_type ?? null;
        patch.hasThumbnail = (outcome.thumbnail_key ?? null) !== null;
        if (animated === true) patch.animated = true;
      }
      await this.applyToMessages(trx, changes, mediaId, patch);
      // A contact's picture: its id does not change, but clients should fetch it now.
      const contacts = await trx.selectFrom('contacts').select('id').where('avatar_media_id', '=', mediaId).execute();
      for (const contact of contacts) {
        await trx
          .updateTable('contacts')
          .set({ seq: await changes.nextSeq('contact', contact.id) })
          .where('id', '=', contact.id)
          .execute();
      }
    });
  }

  private async applyToMessages(trx: Trx, changes: ChangeSet, mediaId: string, patch: AttachmentPatch): Promise<void> {
    if (!SAFE_ID.test(mediaId)) return;
    // A text search over the JSON column: ids are UUIDs, so the needle cannot mis-match.
    const needle = `"mediaId":${JSON.stringify(mediaId)}`;
    const rows = await trx
      .selectFrom('messages')
      .select(['id', 'attachments'])
      .where('attachments', 'like', `%${needle}%`)
      .execute();
    for (const message of rows) {
      const parsed = AttachmentsSchema.safeParse(JSON.parse(message.attachments));
      if (!parsed.success) {
        this.deps.log.warn({ messageId: message.id, mediaId }, 'message attachments do not parse; left as they are');
        continue;
      }
      let touched = false;
      const attachments = parsed.data.map((attachment) => {
        if (attachment.mediaId !== mediaId) return attachment;
        touched = true;
        return { ...attachment, ...patch };
      });
      if (!touched) continue;
      await trx
        .updateTable('messages')
        .set({ attachments: JSON.stringify(attachments), seq: await changes.nextSeq('message', message.id) })
        .where('id', '=', message.id)
        .execute();
    }
  }

  private async removeStaleScratch(): Promise<void> {
    const dir = this.deps.files.storage.scratchDir;
    const names = await fsp.readdir(dir).catch(() => []);
    const now = Date.now();
    for (const name of names) {
      const file = path.join(dir, name);
      const stat = await fsp.stat(file).catch(() => null);
      if (stat !== null && stat.isFile() && now - stat.mtimeMs > STALE_SCRATCH_MS) {
        await fsp.rm(file, { force: true });
      }
    }
  }
}
