/**
 * The desktop shell's security baseline, as checks over the objects the app really uses:
 * the options its windows are created with, the Content-Security-Policy it serves, the
 * guards on navigation, popups and permissions, the IPC registration path, and the Electron
 * fuses electron-builder flips at packaging time. Pure functions: `security-audit-run.ts`
 * feeds them, `scripts/audit-desktop.ts` prints them.
 */
import type { WebPreferences } from 'electron';
import { z } from 'zod';

export type AuditCheck = { readonly name: string; readonly ok: boolean; readonly detail: string };

function check(name: string, ok: boolean, detail: string): AuditCheck {
  return { name, ok, detail };
}

/** The preferences that must hold, and what each must be. */
export function auditWebPreferences(label: string, prefs: WebPreferences | undefined): AuditCheck[] {
  const p = prefs ?? {};
  const shown = (value: unknown): string => (value === undefined ? 'unset' : JSON.stringify(value));
  return [
    check(`${label}: contextIsolation is true`, p.contextIsolation === true, shown(p.contextIsolation)),
    check(`${label}: sandbox is true`, p.sandbox === true, shown(p.sandbox)),
    check(`${label}: nodeIntegration is false`, p.nodeIntegration === false, shown(p.nodeIntegration)),
    check(
      `${label}: nodeIntegrationInWorker and InSubFrames are not on`,
      p.nodeIntegrationInWorker !== true && p.nodeIntegrationInSubFrames !== true,
      `${shown(p.nodeIntegrationInWorker)}, ${shown(p.nodeIntegrationInSubFrames)}`,
    ),
    check(`${label}: webSecurity is not disabled`, p.webSecurity !== false, shown(p.webSecurity)),
    check(
      `${label}: allowRunningInsecureContent is not on`,
      p.allowRunningInsecureContent !== true,
      shown(p.allowRunningInsecureContent),
    ),
    check(`${label}: no webviewTag`, p.webviewTag !== true, shown(p.webviewTag)),
  ];
}

/** `directive → sources`, lower-cased; the first occurrence of a directive wins, as in browsers. */
export function parseCsp(csp: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name === undefined || name === '') continue;
    const key = name.toLowerCase();
    if (!directives.has(key))
      directives.set(
        key,
        sources.map((source) => source.toLowerCase()),
      );
  }
  return directives;
}

/** Script sources that load nothing from elsewhere and evaluate no strings. */
function isLocalScriptSource(source: string): boolean {
  return (
    source === "'self'" ||
    source === "'none'" ||
    /^'nonce-[a-z0-9+/_=-]+'$/.test(source) ||
    /^'sha(256|384|512)-[a-z0-9+/_=-]+'$/.test(source)
  );
}

/** The sources that govern `directive`, following CSP's fallback to default-src. */
function effectiveSources(directives: Map<string, string[]>, chain: readonly string[]): string[] | undefined {
  for (const name of chain) {
    const sources = directives.get(name);
    if (sources !== undefined) return sources;
  }
  return undefined;
}

export function auditContentSecurityPolicy(csp: string): AuditCheck[] {
  const directives = parseCsp(csp);
  const evals = [...directives].filter(([, sources]) => sources.includes("'unsafe-eval'")).map(([name]) => name);
  const checks = [check("CSP: no 'unsafe-eval'", evals.length === 0, evals.length === 0 ? 'none' : evals.join(', '))];
  for (const [label, chain] of [
    ['script-src', ['script-src', 'default-src']],
    ['worker-src', ['worker-src', 'script-src', 'default-src']],
  ] as const) {
    const sources = effectiveSources(directives, chain);
    if (sources === undefined) {
      checks.push(check(`CSP: ${label} is restricted`, false, 'neither it nor default-src is set'));
      continue;
    }
    const remote = sources.filter((source) => !isLocalScriptSource(source));
    checks.push(
      check(
        `CSP: ${label} allows no remote or inline source`,
        remote.length === 0,
        remote.length === 0 ? sources.join(' ') : `allows ${remote.join(' ')}`,
      ),
    );
  }
  const objects = effectiveSources(directives, ['object-src', 'default-src']);
  checks.push(check("CSP: object-src is 'none'", objects?.join(' ') === "'none'", objects?.join(' ') ?? 'unset'));
  return checks;
}

/** The fuses the packaged app must carry, with electron-builder's `electronFuses` key names. */
export const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableCookieEncryption: true,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
} as const;

const BuilderConfigSchema = z.looseObject({ electronFuses: z.record(z.string(), z.unknown()).optional() });

/** Checks the parsed electron-builder configuration (the YAML document as a value). */
export function auditElectronFuses(config: unknown): AuditCheck[] {
  const parsed = BuilderConfigSchema.safeParse(config);
  if (!parsed.success) {
    return [check('fuses: electron-builder configuration is an object', false, 'not a mapping')];
  }
  const fuses = parsed.data.electronFuses;
  if (fuses === undefined) {
    return [check('fuses: electronFuses is configured', false, 'no electronFuses section in electron-builder.yml')];
  }
  return Object.entries(REQUIRED_FUSES).map(([name, expected]) => {
    const actual = fuses[name];
    return check(
      `fuses: ${name} is ${String(expected)}`,
      actual === expected,
      actual === undefined ? 'missing' : JSON.stringify(actual),
    );
  });
}

export function auditPassed(checks: readonly AuditCheck[]): boolean {
  return checks.length > 0 && checks.every((item) => item.ok);
}

export function formatAudit(checks: readonly AuditCheck[]): string {
  const lines = checks.map((item) => `${item.ok ? 'pass' : 'FAIL'}  ${item.name}  (${item.detail})`);
  const failed = checks.filter((item) => !item.ok).length;
  lines.push(failed === 0 ? `${checks.length} checks passed` : `${failed} of ${checks.length} checks failed`);
  return lines.join('\n');
}
