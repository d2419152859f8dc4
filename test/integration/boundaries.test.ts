import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The import rules of docs/architecture.md are only real if the linter refuses to break them.
 * Each case writes a small file into that folder, lints it, expects the refusal and
 * removes the file (type-aware linting needs it on disk).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The rules these cases are about; none needs type information. */
const BOUNDARY_RULES = new Set(['import-x/no-restricted-paths', 'no-restricted-imports', 'no-restricted-syntax']);
/**
 * The repository's own configuration, with only those rules, and without the type-aware
 * parsing the others need: building each folder's TypeScript program took most of this
 * file's time (tens of seconds), and `npm run lint` runs every rule over every file anyway.
 */
const eslint = new ESLint({
  cwd: root,
  ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});

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
    ['server/src/probe.ts', "import { App } from '../../renderer/src/shell/App.js';\nexport const x = App;\n"],
    ['main/src/probe.ts', "import { loadConfig } from '../../server/src/config.js';\nexport const x = loadConfig;\n"],
    ['preload/src/probe.ts', "import { App } from '../../renderer/src/shell/App.js';\nexport const x = App;\n"],
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

describe('renderer layers', () => {
  const importAll = (from: string): string => `import * as target from '${from}';\nexport const x = target;\n`;
  const src = path.join(root, 'renderer/src');

  it.each([
    ['renderer/src/common/probe.ts', '../domain/messageView.js'],
    ['renderer/src/common/ui/probe.ts', '../../features/conversation/index.js'],
    ['renderer/src/domain/probe.ts', '../data/db.js'],
    ['renderer/src/domain/probe.ts', '../platform/desktop.js'],
    ['renderer/src/platform/probe.ts', '../data/db.js'],
    ['renderer/src/platform/probe.ts', '../sync/engine.js'],
    ['renderer/src/data/probe.ts', '../platform/session.js'],
    ['renderer/src/data/probe.ts', '../sync/outbox.js'],
    ['renderer/src/sync/probe.ts', '../features/notifications/index.js'],
    ['renderer/src/sync/probe.ts', '../shell/useSyncEngine.js'],
    ['renderer/src/features/auth/probe.ts', '../../shell/App.js'],
    ['renderer/src/features/inbox/probe.ts', '../search/useSearch.js'],
    ['renderer/src/features/conversation/thread/probe.ts', '../../inbox/ConversationList.js'],
    ['renderer/src/shell/probe.ts', '../features/conversation/ThreadView.js'],
  ])('%s may not import %s', async (file, from) => {
    expect(await ruleIds(file, importAll(from))).toContain('import-x/no-restricted-paths');
  });

  it('allows imports down the layers, and a feature through its index.ts', async () => {
    expect(await ruleIds('renderer/src/features/inbox/probe.ts', importAll('../search/index.js'))).toEqual([]);
    expect(await ruleIds('renderer/src/features/inbox/probe.ts', importAll('../../sync/engine.js'))).toEqual([]);
    expect(await ruleIds('renderer/src/sync/probe.ts', importAll('../data/db.js'))).toEqual([]);
    expect(await ruleIds('renderer/src/domain/probe.ts', importAll('../common/i18n/index.js'))).toEqual([]);
  });

  it('keeps every feature folder behind its index.ts', async () => {
    const features = fs
      .readdirSync(path.join(src, 'features'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(features.length).toBeGreaterThan(1);
    for (const [position, feature] of features.entries()) {
      expect(fs.existsSync(path.join(src, 'features', feature, 'index.ts')), `${feature}/index.ts`).toBe(true);
      // Another feature's insides are refused here: the feature is in the lint rule's list.
      const other = features[(position + 1) % features.length] ?? '';
      const inside = fs
        .readdirSync(path.join(src, 'features', other))
        .find((name) => /^(?!index\.ts$).*\.tsx?$/.test(name));
      const ids = await ruleIds(
        `renderer/src/features/${feature}/probe.ts`,
        importAll(`../${other}/${inside ?? ''}`.replace(/\.tsx?$/, '.js')),
      );
      expect(ids, feature).toContain('import-x/no-restricted-paths');
    }
  });

  it('has no circle between its folders', () => {
    /** A folder is a layer, or one feature. */
    const unitOf = (file: string): string => {
      const [first = '', second = ''] = path.relative(src, file).split(path.sep);
      return first === 'features' ? `features/${second}` : first;
    };
    const edges = new Map<string, Set<string>>();
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return walk(full);
        return /\.tsx?$/.test(entry.name) ? [full] : [];
      });
    for (const file of walk(src)) {
      const from = unitOf(file);
      for (const match of fs.readFileSync(file, 'utf8').matchAll(/from '(\.\.?\/[^']+)'/g)) {
        const to = unitOf(path.resolve(path.dirname(file), match[1] ?? ''));
        if (to !== from && !to.includes('.')) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const circles: string[] = [];
    const visit = (unit: string, trail: string[]): void => {
      if (trail.includes(unit)) {
        circles.push([...trail.slice(trail.indexOf(unit)), unit].join(' → '));
        return;
      }
      for (const next of edges.get(unit) ?? []) visit(next, [...trail, unit]);
    };
    for (const unit of edges.keys()) visit(unit, []);
    expect(edges.size).toBeGreaterThan(5);
    expect(circles).toEqual([]);
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
