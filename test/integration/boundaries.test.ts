import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The import rules of ARCHITECTURE.md are only real if the linter refuses to break them.
 * Each case writes a small file into that folder, lints it, expects the refusal and
 * removes the file (type-aware linting needs it on disk).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const probe = path.join(root, file.replace(/probe/, `probe-${randomUUID().slice(0, 8)}`));
  fs.writeFileSync(probe, code);
  try {
    const [result] = await eslint.lintFiles([probe]);
    return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

describe('lint boundaries', () => {
  it.each([
    [
      'renderer/src/probe.ts',
      "import { startServer } from '../../server/src/server.js';\nexport const x = startServer;\n",
    ],
    ['renderer/src/probe.ts', "import { startServer } from '@parley/server';\nexport const x = startServer;\n"],
    ['server/src/probe.ts', "import { App } from '../../renderer/src/app/App.js';\nexport const x = App;\n"],
    ['main/src/probe.ts', "import { loadConfig } from '../../server/src/config.js';\nexport const x = loadConfig;\n"],
    ['preload/src/probe.ts', "import { App } from '../../renderer/src/app/App.js';\nexport const x = App;\n"],
    [
      'protocol/src/probe.ts',
      "import { loadConfig } from '../../server/src/config.js';\nexport const x = loadConfig;\n",
    ],
  ])('%s may not import that: %s', async (file, code) => {
    const ids = await ruleIds(file, code);
    expect(ids.some((id) => id === 'import-x/no-restricted-paths' || id === 'no-restricted-imports')).toBe(true);
  });

  it('allows renderer/ and server/ to import protocol/', async () => {
    const code = "import { PROTOCOL_VERSION } from '@parley/protocol';\nexport const x: number = PROTOCOL_VERSION;\n";
    expect(await ruleIds('renderer/src/probe.ts', code)).toEqual([]);
    expect(await ruleIds('server/src/probe.ts', code)).toEqual([]);
  });

  it('refuses a focused test and a skip without a reason', async () => {
    const focused = "import { it } from 'vitest';\nit.only('x', () => undefined);\n";
    expect(await ruleIds('server/test/probe.test.ts', focused)).toContain('no-restricted-syntax');
    const skipped = "import { it } from 'vitest';\nit.skip('x', () => undefined);\n";
    expect(await ruleIds('server/test/probe.test.ts', skipped)).toContain('no-restricted-syntax');
  });
});

describe('server layers', () => {
  it.each([
    [
      'server/src/platform/probe.ts',
      "import { MediaService } from '../modules/media/index.js';\nexport const x = MediaService;\n",
    ],
    [
      'server/src/platform/probe.ts',
      "import { webRoutes } from '../transport/http/web.js';\nexport const x = webRoutes;\n",
    ],
    [
      'server/src/modules/outbound/probe.ts',
      "import { webRoutes } from '../../transport/http/web.js';\nexport const x = webRoutes;\n",
    ],
    [
      'server/src/modules/outbound/probe.ts',
      "import { startServer } from '../../server.js';\nexport const x = startServer;\n",
    ],
    [
      'server/src/modules/outbound/probe.ts',
      "import { Simulator } from '../../demo/simulator.js';\nexport const x = Simulator;\n",
    ],
    [
      'server/src/modules/outbound/probe.ts',
      "import { MediaService } from '../media/media.js';\nexport const x = MediaService;\n",
    ],
    [
      'server/src/transport/http/probe.ts',
      "import { startServer } from '../../server.js';\nexport const x = startServer;\n",
    ],
  ])('%s may not import that: %s', async (file, code) => {
    expect(await ruleIds(file, code)).toContain('import-x/no-restricted-paths');
  });

  it('allows a module to import platform/ and another module through its index.ts', async () => {
    const code =
      "import { MediaService } from '../media/index.js';\nimport { newId } from '../../platform/ids.js';\n" +
      'export const x = [MediaService, newId];\n';
    expect(await ruleIds('server/src/modules/outbound/probe.ts', code)).toEqual([]);
  });

  it('allows transport/ to import a module and platform/', async () => {
    const code =
      "import { runMutation } from '../../modules/mutations/index.js';\nimport type { Store } from '../../platform/store.js';\n" +
      'export const x = runMutation;\nexport type S = Store;\n';
    expect(await ruleIds('server/src/transport/socket/probe.ts', code)).toEqual([]);
  });
});
