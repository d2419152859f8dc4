/**
 * `npm run bench`: every benchmark, one after another (they share two cores, so never at
 * once). Each prints its table and writes bench-results/<name>.json.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const only = process.argv.slice(2);
const benchmarks = [
  'webhook-intake.ts',
  'ingest.ts',
  'resync.ts',
  'search.ts',
  'assignment.ts',
  'inbox.ts',
  'soak.ts',
  'server.ts',
].filter((file) => only.length === 0 || only.some((name) => file.includes(name)));

let failed = false;
for (const file of benchmarks) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
