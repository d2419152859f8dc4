import type { Channel, LiveBatch } from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { Store } from '../../platform/store.js';
import { isPlaceholderName } from './names.js';

/** The media service's copy of a profile picture: its media id, or null when it cannot. */
export type CopyAvatar = (accountId: string, url: string) => Promise<string | null>;

export type ProfileRefresherOptions = {
  store: Store;
  graph: { baseUrl: string; version: string };
  log: FastifyBaseLogger;
  copyAvatar: CopyAvatar | null;
  /** A fetched profile is fetched again after this long (names and pictures change). */
  refreshAfterMs?: number;
  /** Graph calls per second, at most: the profile API shares the Page's rate limit with sends. */
  requestsPerSecond?: number;
  /** Contacts looked at per pass. */
  batchSize?: number;
  /** How often to look for due contacts besides being woken by new ones. */
  pollIntervalMs?: number;
  /** First wait after a failed fetch; doubles per failure up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  requestTimeoutMs?: number;
};

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** What the two profile endpoints answer (fields absent when the user hides them). */
const MessengerProfileSchema = z.looseObject({
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  name: z.string().optional(),
  profile_pic: z.string().optional(),
});
const InstagramProfileSchema = z.looseObject({
  name: z.string().optional(),
  username: z.string().optional(),
  profile_pic: z.string().optional(),
});
const GraphErrorSchema = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    type: z.string().optional(),
  }),
});

const PROFILE_FIELDS: Record<Exclude<Channel, 'whatsapp'>, string> = {
  messenger: 'first_name,last_name,profile_pic',
  instagram: 'name,username,profile_pic',
};

/** Graph's throttling codes (app, user, page and custom rate limits). */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
/** The token is invalid or lacks a permission: nothing works for that account until an admin acts. */
const ACCOUNT_CODES = new Set([10, 102, 190]);

type Profile = { name: string | null; pictureUrl: string | null };

type Outcome =
  | { kind: 'profile'; profile: Profile }
  /** The platform will not say (unknown user, hidden profile): wait a full refresh period. */
  | { kind: 'unavailable'; code: number | null }
  /** Worth retrying soon: a network error, a timeout, a 5xx, an unreadable answer. */
  | { kind: 'retry'; reason: string }
  | { kind: 'rate_limited' }
  | { kind: 'account'; code: number | null };

type Candidate = {
  contactId: string;
  identities: { channel: 'messenger' | 'instagram'; externalId: string }[];
};

/**
 * Fills in the names (and pictures) of Messenger and Instagram customers, whose webhooks
 * carry only an id, from the Graph user-profile endpoints; and refreshes them weekly.
 * Runs in the background, never in a webhook's request: woken when a contact with a
 * stand-in name appears, and on a timer. One request at a time, spaced to a rate limit;
 * failures back off per contact, throttling pauses everything, a bad token pauses its
 * account. WhatsApp needs none of this: its webhooks carry the profile name.
 */
export class ProfileRefresher {
  private readonly refreshAfterMs: number;
  private readonly spacingMs: number;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly requestTimeoutMs: number;

  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running: Promise<void> | null = null;
  private started = false;
  private again = false;
  private stopped = false;
  private lastRequestAt = 0;
  /** In memory only: a restart simply tries again, which is what a restart is for. */
  private readonly contactRetry = new Map<string, { failures: number; until: number }>();
  private readonly accountPausedUntil = new Map<string, number>();
  private pausedUntil = 0;
  private throttledFor = 0;

  constructor(private readonly options: ProfileRefresherOptions) {
    this.refreshAfterMs = options.refreshAfterMs ?? 7 * DAY_MS;
    this.spacingMs = 1000 / (options.requestsPerSecond ?? 5);
    this.batchSize = options.batchSize ?? 20;
    this.pollIntervalMs = options.pollIntervalMs ?? 60_000;
    this.retryBaseMs = options.retryBaseMs ?? 60_000;
    this.retryMaxMs = options.retryMaxMs ?? 6 * HOUR_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.unsubscribe = this.options.store.onChanges((batch) => {
      if (hasNewMessagingContact(batch)) this.kick();
    });
    this.timer = setInterval(() => this.kick(), this.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
    this.abort.abort();
    await this.running;
  }

  /** Runs a pass now, or right after the one under way (once started). */
  kick(): void {
    if (!this.started || this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no pass is running (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const full = await this.pass();
        // A full batch means more may be due: go on, the spacing keeps the rate.
        if (full) this.again = true;
      } catch (error) {
        if (!this.stopped) this.options.log.error({ err: error }, 'profile refresh failed; will try again');
        return;
      }
    } while (this.again && !this.stopped);
  }

  /** One batch of due contacts; true when the batch was full. */
  private async pass(): Promise<boolean> {
    const now = Date.now();
    if (now < this.pausedUntil) return false;
    const candidates = await this.dueContacts(now);
    for (const candidate of candidates) {
      if (this.stopped || Date.now() < this.pausedUntil) return false;
      await this.refresh(candidate);
    }
    return candidates.length === this.batchSize;
  }

  private async dueContacts(now: number): Promise<Candidate[]> {
    const rows = await this.options.store.db
      .selectFrom('contacts')
      .innerJoin('contact_identities', 'contact_identities.contact_id', 'contacts.id')
      .select(['contacts.id as contactId', 'contact_identities.channel', 'contact_identities.external_id'])
      .where('contacts.merged_into', 'is', null)
      .where('contact_identities.kind', 'in', ['psid', 'igsid'])
      .where((eb) =>
        eb.or([
          eb('contacts.profile_fetched_at', 'is', null),
          eb('contacts.profile_fetched_at', '<', now - this.refreshAfterMs),
        ]),
      )
      // Never-fetched contacts first, then the stalest (PostgreSQL puts nulls last unless told).
      .orderBy('contacts.profile_fetched_at', (ob) => ob.asc().nullsFirst())
      .orderBy('contacts.created_at')
      .limit(this.batchSize * 4)
      .execute();
    const byContact = new Map<string, Candidate>();
    for (const row of rows) {
      const retry = this.contactRetry.get(row.contactId);
      if (retry !== undefined && retry.until > now) continue;
      if (row.channel !== 'messenger' && row.channel !== 'instagram') continue;
      let candidate = byContact.get(row.contactId);
      if (candidate === undefined) {
        if (byContact.size === this.batchSize) continue;
        candidate = { contactId: row.contactId, identities: [] };
        byContact.set(row.contactId, candidate);
      }
      candidate.identities.push({ channel: row.channel, externalId: row.external_id });
    }
    return [...byContact.values()];
  }

  private async refresh(candidate: Candidate): Promise<void> {
    // A PSID or IGSID is scoped to one Page or IG account: ask with the token of an
    // account this customer wrote to, the most recent first.
    const accounts = await this.options.store.db
      .selectFrom('conversations')
      .innerJoin('channel_accounts', 'channel_accounts.id', 'conversations.channel_account_id')
      .select(['channel_accounts.id', 'channel_accounts.channel', 'channel_accounts.access_token'])
      .where('conversations.contact_id', '=', candidate.contactId)
      .where('conversations.channel', 'in', ['messenger', 'instagram'])
      .orderBy('conversations.last_message_at', 'desc')
      .execute();
    let last: Outcome | null = null;
    for (const identity of candidate.identities) {
      for (const account of accounts.filter((a) => a.channel === identity.channel)) {
        if ((this.accountPausedUntil.get(account.id) ?? 0) > Date.now()) continue;
        const outcome = await this.fetchProfile(identity.channel, identity.externalId, account.access_token);
        if (this.stopped) return;
        last = outcome;
        switch (outcome.kind) {
          case 'profile':
            this.throttledFor = 0;
            this.contactRetry.delete(candidate.contactId);
            await this.apply(candidate.contactId, account.id, outcome.profile);
            return;
          case 'rate_limited':
            this.throttle();
            return;
          case 'account':
            this.accountPausedUntil.set(account.id, Date.now() + HOUR_MS);
            this.options.log.warn(
              { channelAccountId: account.id, code: outcome.code },
              'profile fetch refused for this account (token invalid or missing a permission): paused for an hour',
            );
            continue;
          case 'unavailable':
          case 'retry':
            continue;
        }
      }
    }
    if (last?.kind === 'unavailable') {
      // Asking again tomorrow would get the same answer: wait the refresh period.
      this.contactRetry.delete(candidate.contactId);
      await this.markFetched(candidate.contactId);
      this.options.log.info(
        { contactId: candidate.contactId, code: last.code },
        'profile not available from the platform; will ask again later',
      );
      return;
    }
    this.backOff(candidate.contactId, last?.kind === 'retry' ? last.reason : 'no account to ask with');
  }

  private backOff(contactId: string, reason: string): void {
    const failures = (this.contactRetry.get(contactId)?.failures ?? 0) + 1;
    const wait = Math.min(this.retryBaseMs * 2 ** (failures - 1), this.retryMaxMs);
    this.contactRetry.set(contactId, { failures, until: Date.now() + wait });
    this.options.log.warn({ contactId, reason, retryInMs: wait }, 'profile fetch failed; will retry');
  }

  private throttle(): void {
    this.throttledFor = Math.min(Math.max(this.throttledFor * 2, 60_000), 30 * 60_000);
    this.pausedUntil = Date.now() + this.throttledFor;
    this.options.log.warn({ pauseMs: this.throttledFor }, 'Graph rate limit reached: profile fetches paused');
  }

  private async fetchProfile(
    channel: 'messenger' | 'instagram',
    externalId: string,
    accessToken: string,
  ): Promise<Outcome> {
    await this.sleep(this.lastRequestAt + this.spacingMs - Date.now());
    if (this.stopped) return { kind: 'retry', reason: 'stopping' };
    this.lastRequestAt = Date.now();
    const { baseUrl, version } = this.options.graph;
    const url = new URL(`${baseUrl}/${version}/${encodeURIComponent(externalId)}`);
    url.searchParams.set('fields', PROFILE_FIELDS[channel]);
    let response: Response;
    try {
      response = await fetch(url, {
        // In a header, not `?access_token=`: URLs end up in logs and proxies.
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.requestTimeoutMs)]),
      });
    } catch (error) {
      return { kind: 'retry', reason: error instanceof Error ? error.name : 'network error' };
    }
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (response.ok) {
      const profile = profileFrom(channel, body);
      return profile === null ? { kind: 'retry', reason: 'unreadable profile' } : { kind: 'profile', profile };
    }
    const graphError = GraphErrorSchema.safeParse(body);
    const code = graphError.success ? (graphError.data.error.code ?? null) : null;
    if (response.status === 429 || (code !== null && RATE_LIMIT_CODES.has(code))) return { kind: 'rate_limited' };
    if (response.status === 401 || (code !== null && (ACCOUNT_CODES.has(code) || (code >= 200 && code < 300)))) {
      return { kind: 'account', code };
    }
    if (response.status >= 500 || !graphError.success) return { kind: 'retry', reason: `HTTP ${response.status}` };
    return { kind: 'unavailable', code };
  }

  private async apply(contactId: string, accountId: string, profile: Profile): Promise<void> {
    let avatarMediaId: string | null = null;
    const copyAvatar = this.options.copyAvatar;
    if (profile.pictureUrl !== null && copyAvatar !== null) {
      try {
        avatarMediaId = await copyAvatar(accountId, profile.pictureUrl);
      } catch (error) {
        this.options.log.warn({ err: error, contactId }, 'profile picture not copied');
      }
    }
    await this.options.store.write(async (trx, changes) => {
      const contact = await trx
        .selectFrom('contacts')
        .select(['name', 'avatar_media_id', 'merged_into'])
        .where('id', '=', contactId)
        .executeTakeFirst();
      // Merged meanwhile: the target has its own profile.
      if (contact === undefined || contact.merged_into !== null) return;
      const whatsapp = await trx
        .selectFrom('contact_identities')
        .select('kind')
        .where('contact_id', '=', contactId)
        .where('channel', '=', 'whatsapp')
        .executeTakeFirst();
      const update: { name?: string; avatar_media_id?: string } = {};
      // A WhatsApp profile name (kept fresh by every WhatsApp message) is the customer's
      // own choice; a Messenger/Instagram name only replaces a stand-in for it.
      if (
        profile.name !== null &&
        profile.name !== contact.name &&
        (whatsapp === undefined || isPlaceholderName(contact.name))
      ) {
        update.name = profile.name;
      }
      if (avatarMediaId !== null && avatarMediaId !== contact.avatar_media_id) update.avatar_media_id = avatarMediaId;
      const changed = Object.keys(update).length > 0;
      await trx
        .updateTable('contacts')
        .set({
          ...update,
          profile_fetched_at: Date.now(),
          // profile_fetched_at is not synced: only a visible change is worth a seq.
          ...(changed ? { seq: await changes.nextSeq('contact', contactId) } : {}),
        })
        .where('id', '=', contactId)
        .execute();
    });
  }

  private async markFetched(contactId: string): Promise<void> {
    await this.options.store.db
      .updateTable('contacts')
      .set({ profile_fetched_at: Date.now() })
      .where('id', '=', contactId)
      .execute();
  }

  /** Waits, unless stopping. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function profileFrom(channel: 'messenger' | 'instagram', body: unknown): Profile | null {
  if (channel === 'messenger') {
    const parsed = MessengerProfileSchema.safeParse(body);
    if (!parsed.success) return null;
    const full = [parsed.data.first_name, parsed.data.last_name]
      .map((part) => part?.trim() ?? '')
      .filter((part) => part !== '')
      .join(' ');
    return { name: nonBlank(full) ?? nonBlank(parsed.data.name), pictureUrl: webUrl(parsed.data.profile_pic) };
  }
  const parsed = InstagramProfileSchema.safeParse(body);
  if (!parsed.success) return null;
  const username = nonBlank(parsed.data.username);
  return {
    name: nonBlank(parsed.data.name) ?? (username === null ? null : `@${username}`),
    pictureUrl: webUrl(parsed.data.profile_pic),
  };
}

function nonBlank(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed.slice(0, 200);
}

function webUrl(value: string | undefined): string | null {
  if (value === undefined) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/** A Messenger or Instagram contact that still has a stand-in name: worth a fetch now. */
function hasNewMessagingContact(batch: LiveBatch): boolean {
  return batch.changes.some(
    (change) =>
      change.entity === 'contact' &&
      change.data.mergedInto === null &&
      isPlaceholderName(change.data.name) &&
      change.data.identities.some((identity) => identity.kind === 'psid' || identity.kind === 'igsid'),
  );
}

/**
 * Whether this server may call the Graph API for profiles. A Graph on this machine (a fake)
 * always; Meta's only for a real server, since a demo server's tokens are made up.
 */
export function profileFetchEnabled(config: { demo: boolean; graph: { baseUrl: string } }): boolean {
  const host = new URL(config.graph.baseUrl).hostname;
  if (host === '127.0.0.1' || host === 'localhost' || host === '[::1]') return true;
  return !config.demo;
}
