/**
 * The packaged app runs main/dist/main.bundle.mjs with no node_modules beside it: the
 * updater must be inside the bundle, and the CommonJS code in it needs a `require`.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let bundle = '';

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [path.join(repoRoot, 'main', 'build.mjs')]);
  bundle = await readFile(path.join(repoRoot, 'main', 'dist', 'main.bundle.mjs'), 'utf8');
}, 60_000);

it('imports nothing at run time but Electron and Node', () => {
  const imports = [...bundle.matchAll(/(?:^|[;}\s])import\s*(?:[^'"]*?from\s*)?["']([^"']+)["']/g)].map((m) => m[1]);
  expect(imports.filter((name) => name !== 'electron' && !name?.startsWith('node:'))).toEqual([]);
});

it('carries electron-updater and gives its CommonJS code a require', () => {
  // The header electron-updater sends with each feed request, for staged rollouts.
  expect(bundle).toContain('x-user-staging-id');
  expect(bundle.startsWith("import { createRequire as __parleyCreateRequire } from 'node:module';")).toBe(true);
});
