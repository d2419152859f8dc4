import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { checkReadiness, type Probe } from '../../platform/health.js';
import type { Lifecycle } from '../../platform/lifecycle.js';
import type { ServerMetrics } from '../../platform/metrics.js';
import { sendApiError } from './errors.js';

/**
 * What operations reach: liveness (/healthz), readiness (/readyz), Prometheus metrics
 * (/metrics), and the drain: once a stop was asked, new requests are refused with 503 and
 * `Connection: close`, while those under way finish.
 */
export type OperationsOptions = {
  lifecycle: Lifecycle;
  metrics: ServerMetrics;
  /** Readiness probes: the database and its migrations now; later PostgreSQL, Redis. */
  probes: readonly Probe[];
  /** PARLEY_METRICS_TOKEN: when set, /metrics asks for `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
};

/** The routes a load balancer or a scraper calls, answered even while draining. */
export const OPERATIONS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function operationsRoutes(app: FastifyInstance, options: OperationsOptions): void {
  const { lifecycle, metrics } = options;

  // Every request is tracked until its response is done, so a stop waits for it.
  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (lifecycle.draining && !OPERATIONS_PATHS.has(path)) {
      void reply.header('connection', 'close').header('retry-after', '1');
      sendApiError(reply, 503, 'unavailable', undefined, { state: 'shutting_down' });
      return;
    }
    void lifecycle.track(
      new Promise<void>((resolve) => {
        reply.raw.once('close', resolve);
      }),
    );
    done();
  });

  // Liveness: the process answers. No database, nothing that can wait behind other work.
  app.get('/healthz', { logLevel: 'warn' }, () => ({ status: 'ok' }));

  // Readiness: every probe passes and no stop was asked.
  const draining: Probe = {
    name: 'shutdown',
    check: () => Promise.resolve(lifecycle.draining ? { ok: false, reason: 'shutting_down' } : { ok: true }),
  };
  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const readiness = await checkReadiness([draining, ...options.probes]);
    const failed = readiness.checks.filter((check) => !check.ok).map((check) => check.name);
    return reply
      .code(readiness.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: readiness.ready ? 'ready' : 'unavailable', failed, checks: readiness.checks });
  });

  const token = options.metricsToken;
  app.get('/metrics', { logLevel: 'warn' }, async (request, reply) => {
    if (token !== undefined) {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
      if (!timingSafeEqual(digest(given), digest(token))) {
        return sendApiError(reply.header('www-authenticate', 'Bearer realm="metrics"'), 401, 'unauthorized');
      }
    }
    const exposition = await metrics.exposition();
    return reply.header('cache-control', 'no-store').type(exposition.contentType).send(exposition.body);
  });
}
