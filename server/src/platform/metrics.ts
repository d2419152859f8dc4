import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric the server exports, in one registry made per server (never
 * prom-client's global one), so several servers in one process (tests) keep theirs apart.
 * Modules do not import prom-client: they are handed the small observer they need.
 */

/** What a Graph API call came to, for `parley_graph_api_calls_total` and `..._errors_total`. */
export type GraphCallOutcome = { ok: true } | { ok: false; code: string };

/** What reads a queue's depth at scrape time. */
export type DepthSource = () => Promise<number>;

export class ServerMetrics {
  readonly registry = new Registry();
  readonly webhooksReceived: Counter<'channel'>;
  readonly webhooksFailed: Counter<'channel' | 'reason'>;
  readonly webhookEvents: Counter<'channel' | 'outcome'>;
  readonly graphCalls: Counter<'channel' | 'operation'>;
  readonly graphErrors: Counter<'channel' | 'operation' | 'code'>;
  readonly fanoutLatency: Histogram<'channel'>;
  private sockets: () => number = () => 0;
  private readonly depths = new Map<string, DepthSource>();

  constructor() {
    const registers = [this.registry];
    // Process, heap, GC and event-loop lag (nodejs_eventloop_lag_*), with their usual names.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    this.webhooksReceived = new Counter({
      name: 'parley_webhooks_received_total',
      help: 'Webhook POSTs received, by channel.',
      labelNames: ['channel'],
      registers,
    });
    this.webhooksFailed = new Counter({
      name: 'parley_webhooks_failed_total',
      help: 'Webhook POSTs not acknowledged (refused or failed), by channel and reason.',
      labelNames: ['channel', 'reason'],
      registers,
    });
    this.webhookEvents = new Counter({
      name: 'parley_webhook_events_total',
      help: 'Events in acknowledged webhooks, by channel and what became of them (stored, updated, duplicate, ignored).',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    this.graphCalls = new Counter({
      name: 'parley_graph_api_calls_total',
      help: "Calls to Meta's Graph API, by channel and operation.",
      labelNames: ['channel', 'operation'],
      registers,
    });
    this.graphErrors = new Counter({
      name: 'parley_graph_api_errors_total',
      help: "Graph API calls that failed, by channel, operation and Meta's error code (http_<status> or network_<cause> without one).",
      labelNames: ['channel', 'operation', 'code'],
      registers,
    });
    this.fanoutLatency = new Histogram({
      name: 'parley_webhook_fanout_seconds',
      help: 'From receiving a webhook to emitting the live batch it caused to the connected clients.',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const sockets = (): number => this.sockets();
    new Gauge({
      name: 'parley_sockets_connected',
      help: 'Client sockets connected to this node.',
      registers,
      collect() {
        this.set(sockets());
      },
    });
    const depths = this.depths;
    new Gauge({
      name: 'parley_queue_depth',
      help: 'Jobs waiting or running, by queue (outbound: sends, reactions, receipts; media: copies).',
      labelNames: ['queue'],
      registers,
      async collect() {
        const read = await Promise.all(
          [...depths].map(async ([queue, source]) => [queue, await source().catch(() => NaN)] as const),
        );
        for (const [queue, depth] of read) this.set({ queue }, depth);
      },
    });
  }

  /** Where the connected sockets are counted (the socket transport). */
  countSocketsWith(source: () => number): void {
    this.sockets = source;
  }

  /** Several nodes: whether this node reaches Redis now (1) or not (0), read at scrape time. */
  redisUpFrom(source: () => boolean): void {
    new Gauge({
      name: 'parley_redis_up',
      help: 'Whether this node reaches Redis (REDIS_URL): 1 or 0.',
      registers: [this.registry],
      collect() {
        this.set(source() ? 1 : 0);
      },
    });
  }

  /** Where a queue's depth is read at scrape time. */
  queueDepthFrom(queue: string, source: DepthSource): void {
    this.depths.set(queue, source);
  }

  /** Records one Graph API call. */
  graphCall(channel: string, operation: string, outcome: GraphCallOutcome): void {
    this.graphCalls.inc({ channel, operation });
    if (!outcome.ok) this.graphErrors.inc({ channel, operation, code: outcome.code });
  }

  /** The text a Prometheus server scrapes. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
