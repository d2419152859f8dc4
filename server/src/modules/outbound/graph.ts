import type { Channel } from '@parley/protocol';
import { z } from 'zod';

/**
 * A small client for Meta's Graph API: JSON and multipart requests, the token in the
 * Authorization header (never in the URL, so no proxy or log ever holds it), every answer
 * validated with zod, every error parsed into one shape and classified.
 */

/** Whether a failed call may have reached Meta and done its work anyway. */
export type Delivery =
  /** Meta answered and refused, or the request never left (connection refused, DNS). */
  | 'not_done'
  /** The connection broke or timed out after the request was sent: it may have been done. */
  | 'unknown';

export type GraphErrorInfo = {
  /** null when no HTTP answer came (a network error). */
  httpStatus: number | null;
  code: number | null;
  subcode: number | null;
  /** Meta's own words (or ours for a network error); never contains the token. */
  message: string;
  /** WhatsApp's `error_data.details`, or Messenger's `error_user_msg`. */
  details: string | null;
  fbtraceId: string | null;
  /** Trying the same call again later may work (rate limits, Meta's own failures, the network). */
  retryable: boolean;
  delivery: Delivery;
  /** For a call that got no answer: why, as a short code. */
  cause?: 'timeout' | 'connection_lost';
};

export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(readonly info: GraphErrorInfo) {
    super(describeGraphError(info));
  }
}

export function describeGraphError(info: GraphErrorInfo): string {
  const parts = [
    info.httpStatus === null ? null : `HTTP ${info.httpStatus}`,
    info.code === null ? null : `code ${info.code}${info.subcode === null ? '' : `/${info.subcode}`}`,
  ].filter((part): part is string => part !== null);
  return `${info.message}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** Meta's error envelope, read leniently: `error_data` is an object on WhatsApp and a string elsewhere. */
const GraphErrorBodySchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.coerce.number().int().optional(),
    error_subcode: z.coerce.number().int().optional(),
    error_user_msg: z.string().optional(),
    error_data: z.union([z.object({ details: z.string().optional() }).loose(), z.string()]).optional(),
    fbtrace_id: z.string().optional(),
  }),
});

/** CHANNELS.md §3.4: codes that mean "not now", not "never". */
const RETRYABLE_CODES: Record<Channel, ReadonlySet<number>> = {
  // 130429 throughput, 131000 something went wrong, 4 app call rate, 80007 WABA rate limit,
  // 131056 pair rate (the worker also delays that recipient).
  whatsapp: new Set([130429, 131000, 4, 80007, 131056]),
  // 1200 temporary send failure, 613/4/32 rate limits, 2 "unexpected error" (retried at most once).
  messenger: new Set([1200, 613, 4, 32, 2]),
  instagram: new Set([1200, 613, 4, 32, 2]),
};
/** Messenger's "temporary send message failure" comes as a subcode of other codes. */
const RETRYABLE_SUBCODES: ReadonlySet<number> = new Set([2018024]);

export function isRetryable(
  channel: Channel,
  httpStatus: number | null,
  code: number | null,
  subcode: number | null,
): boolean {
  if (httpStatus === null) return true;
  if (httpStatus >= 500 || httpStatus === 429) return true;
  if (code !== null && RETRYABLE_CODES[channel].has(code)) return true;
  if (subcode !== null && RETRYABLE_SUBCODES.has(subcode)) return true;
  return false;
}

/**
 * Network failures where the request cannot have reached Meta: safe to resend anything.
 * Any other failure (a reset, a timeout) happened after the bytes may have left.
 */
const NOT_SENT_CAUSES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function causeCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return null;
}

export function networkError(error: unknown): GraphError {
  const code = causeCode(error);
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const notSent = code !== null && NOT_SENT_CAUSES.has(code);
  return new GraphError({
    httpStatus: null,
    code: null,
    subcode: null,
    message: timedOut
      ? 'Meta did not answer in time'
      : `The network failed before Meta answered${code === null ? '' : ` (${code})`}`,
    details: null,
    fbtraceId: null,
    retryable: true,
    delivery: notSent ? 'not_done' : 'unknown',
    cause: timedOut ? 'timeout' : 'connection_lost',
  });
}

export type GraphClientOptions = {
  /** e.g. https://graph.facebook.com (tests and the demo point it at a local fake). */
  baseUrl: string;
  /** e.g. v21.0 */
  version: string;
  /** Per request; uploads get `uploadTimeoutMs`. */
  timeoutMs?: number;
  uploadTimeoutMs?: number;
  /** Told of every call and how it ended (the metrics). */
  observe?: (call: GraphCallRecord) => void;
};

/** One finished call: its channel, what it did (the path's last word) and Meta's error code if it failed. */
export type GraphCallRecord = { channel: Channel; operation: string; error: string | null };

/** A bounded label for a call: `messages`, `media`, `message_templates`…, or `read`/`write` for an object id. */
export function operationOf(method: 'GET' | 'POST', path: readonly string[]): string {
  const last = path.at(-1) ?? '';
  return /^[a-z_]{1,40}$/.test(last) ? last : method === 'GET' ? 'read' : 'write';
}

/** Meta's error code, else the HTTP status, else what broke on the network. */
export function errorLabel(info: GraphErrorInfo): string {
  if (info.code !== null) return String(info.code);
  if (info.httpStatus !== null) return `http_${info.httpStatus}`;
  return `network_${info.cause ?? 'error'}`;
}

export type GraphRequest<T extends z.ZodType> = {
  channel: Channel;
  token: string;
  /** Path segments after the version, joined with '/' and each URL-encoded. */
  path: readonly string[];
  query?: Record<string, string>;
  /** The answer's expected shape: a 200 that does not match is an error too. */
  schema: T;
  signal?: AbortSignal;
} & ({ method: 'GET' } | { method: 'POST'; json: unknown } | { method: 'POST'; form: FormData });

const USER_AGENT = 'Parley/0.1 (+outbound)';

export class GraphClient {
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;

  constructor(private readonly options: GraphClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? 120_000;
  }

  url(path: readonly string[], query: Record<string, string> = {}): URL {
    const url = new URL(
      `${this.options.baseUrl}/${this.options.version}/${path.map((segment) => encodeURIComponent(segment)).join('/')}`,
    );
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  /** One call, no retries: the caller decides (durably) whether and when to try again. */
  async request<T extends z.ZodType>(request: GraphRequest<T>): Promise<z.infer<T>> {
    const observe = this.options.observe;
    if (observe === undefined) return this.call(request);
    const operation = operationOf(request.method, request.path);
    try {
      const answer = await this.call(request);
      observe({ channel: request.channel, operation, error: null });
      return answer;
    } catch (error) {
      const label = error instanceof GraphError ? errorLabel(error.info) : 'unexpected';
      observe({ channel: request.channel, operation, error: label });
      throw error;
    }
  }

  private async call<T extends z.ZodType>(request: GraphRequest<T>): Promise<z.infer<T>> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${request.token}`,
      'user-agent': USER_AGENT,
      accept: 'application/json',
    };
    let body: string | FormData | undefined;
    let timeout = this.timeoutMs;
    if (request.method === 'POST') {
      if ('form' in request) {
        body = request.form;
        timeout = this.uploadTimeoutMs;
      } else {
        body = JSON.stringify(request.json);
        headers['content-type'] = 'application/json';
      }
    }
    const signals = [AbortSignal.timeout(timeout)];
    if (request.signal !== undefined) signals.push(request.signal);
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.url(request.path, request.query), {
        method: request.method,
        headers,
        body,
        signal: AbortSignal.any(signals),
        redirect: 'error',
      });
      text = await response.text();
    } catch (error) {
      throw networkError(error);
    }
    let json: unknown = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: handled below as an unexpected answer.
    }
    const graphError = GraphErrorBodySchema.safeParse(json);
    if (!response.ok || graphError.success) {
      const error = graphError.success ? graphError.data.error : undefined;
      const code = error?.code ?? null;
      const subcode = error?.error_subcode ?? null;
      const details =
        typeof error?.error_data === 'object' ? (error.error_data.details ?? null) : (error?.error_user_msg ?? null);
      throw new GraphError({
        httpStatus: response.status,
        code,
        subcode,
        message: (error?.message ?? `Meta answered HTTP ${response.status}`).slice(0, 500),
        details: details?.slice(0, 500) ?? null,
        fbtraceId: error?.fbtrace_id ?? null,
        retryable: isRetryable(request.channel, response.status, code, subcode),
        delivery: 'not_done',
      });
    }
    const parsed = request.schema.safeParse(json);
    if (!parsed.success) {
      // A 200 means Meta accepted the call; if we cannot read what it did, we do not know.
      throw new GraphError({
        httpStatus: response.status,
        code: null,
        subcode: null,
        message: `Meta answered with an unexpected shape: ${parsed.error.issues[0]?.message ?? 'unknown'}`,
        details: null,
        fbtraceId: null,
        retryable: false,
        delivery: 'unknown',
      });
    }
    return parsed.data;
  }
}

/** Exponential backoff with jitter: attempt 1 waits about `baseMs`, doubling, at most `maxMs`. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half random: spread out retries from many jobs without ever retrying at once.
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

// ---------------------------------------------------------------------------------------
// Answer shapes (CHANNELS.md §3)

/** WhatsApp `POST /{phone-number-id}/messages` for a message. */
export const WhatsAppSendResponseSchema = z.object({
  messaging_product: z.literal('whatsapp').optional(),
  contacts: z.array(z.object({ input: z.string().optional(), wa_id: z.string().optional() })).optional(),
  messages: z.array(z.object({ id: z.string().min(1), message_status: z.string().optional() })).min(1),
});

/** WhatsApp mark-read and typing, Messenger sender actions without a message. */
export const SuccessResponseSchema = z.object({ success: z.literal(true) });

/** Messenger and Instagram `POST /{id}/messages`. */
export const MessagingSendResponseSchema = z.object({
  recipient_id: z.string().optional(),
  message_id: z.string().min(1),
});

/** A sender action answers with the recipient only. */
export const SenderActionResponseSchema = z.object({ recipient_id: z.string().min(1) });

/** WhatsApp `POST /{phone-number-id}/media`. */
export const MediaUploadResponseSchema = z.object({ id: z.string().min(1) });

/** Messenger and Instagram `POST /{id}/message_attachments`. */
export const AttachmentUploadResponseSchema = z.object({ attachment_id: z.string().min(1) });
