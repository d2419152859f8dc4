// `npm run audit:desktop`: the desktop shell's security baseline. Prints each check with
// pass or FAIL and exits non-zero when any fails. The checks are in main/src/security-audit*.ts.
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { parse } from 'yaml';

// `electron` resolves to a recording stand-in, so the app's own window factory runs in
// Node and the audit reads what it did.
const standIn = new URL('../main/src/security-audit-electron.ts', import.meta.url).href;
const hooks = `export const resolve = (specifier, context, next) =>
  specifier === 'electron' ? { url: ${JSON.stringify(standIn)}, shortCircuit: true } : next(specifier, context);`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

const { runDesktopAudit } = await import('../main/src/security-audit-run.ts');
const { auditPassed, formatAudit } = await import('../main/src/security-audit.ts');

const builderFile = new URL('../electron-builder.yml', import.meta.url);
let builderConfig;
try {
  builderConfig = parse(readFileSync(builderFile, 'utf8'));
} catch (error) {
  console.error(`Could not read electron-builder.yml: ${error instanceof Error ? error.message : String(error)}`);
  builderConfig = {};
}

const checks = await runDesktopAudit(builderConfig);
console.log(formatAudit(checks));
process.exit(auditPassed(checks) ? 0 : 1);
