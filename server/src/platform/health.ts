/**
 * Readiness: a list of named probes, each answering whether this node can serve. /readyz
 * runs them all and answers 503 naming those that failed. A node with several backing
 * services adds one probe each (PostgreSQL, Redis); the route does not change.
 */

/** A failure's `reason` is a code (`database_unreachable`, `timeout`…), never words; `detail` its params. */
export type ProbeResult =
  { ok: true; detail?: Record<string, unknown> } | { ok: false; reason: string; detail?: Record<string, unknown> };

export type Probe = {
  name: string;
  check(): Promise<ProbeResult>;
};

export type CheckResult = { name: string; ok: boolean; ms: number; reason?: string; detail?: Record<string, unknown> };

export type Readiness = { ready: boolean; checks: CheckResult[] };

/** A probe that takes longer than this has failed: a load balancer must not wait on us. */
export const PROBE_TIMEOUT_MS = 2_000;

export async function checkReadiness(
  probes: readonly Probe[],
  timeoutMs: number = PROBE_TIMEOUT_MS,
): Promise<Readiness> {
  const checks = await Promise.all(probes.map((probe) => runProbe(probe, timeoutMs)));
  return { ready: checks.every((check) => check.ok), checks };
}

async function runProbe(probe: Probe, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const answer = await Promise.race([
    probe.check().catch((): ProbeResult => ({ ok: false, reason: 'probe_failed' })),
    new Promise<ProbeResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: 'timeout' }), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  const ms = Math.round((performance.now() - started) * 10) / 10;
  return answer.ok
    ? { name: probe.name, ok: true, ms, ...(answer.detail === undefined ? {} : { detail: answer.detail }) }
    : {
        name: probe.name,
        ok: false,
        ms,
        reason: answer.reason,
        ...(answer.detail === undefined ? {} : { detail: answer.detail }),
      };
}
