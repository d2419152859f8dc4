// @ts-check
import fs from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Folders are runtimes; these zones are the import rules of docs/architecture.md, checked by a tool. */
const zones = [
  {
    target: './protocol',
    from: ['./server', './renderer', './main', './preload', './test', './scripts'],
    message: 'protocol/ imports nothing of ours: it runs everywhere.',
  },
  {
    target: './renderer',
    from: ['./server', './main', './preload'],
    message: 'renderer/ never imports server/, main/ or preload/.',
  },
  {
    target: './server',
    from: ['./renderer', './main', './preload'],
    message: 'server/ never imports renderer/, main/ or preload/.',
  },
  {
    target: ['./main', './preload'],
    from: ['./renderer', './server'],
    message: 'main/ and preload/ never import renderer/ or server/.',
  },
];

/**
 * The renderer's layers, one way down: shell → features → sync → data, platform → domain
 * → common (→ protocol). data/ (the cache) and platform/ (the desktop, HTTP, the session)
 * stand side by side and import neither each other nor anything above them.
 */
const rendererSrc = './renderer/src';
const rendererFeatures = [
  'admin',
  'auth',
  'cannedResponses',
  'contacts',
  'conversation',
  'desktop',
  'inbox',
  'notifications',
  'palette',
  'popout',
  'search',
  'settings',
  'supervisor',
];
const rendererLayers = [
  {
    target: `${rendererSrc}/common`,
    from: ['domain', 'platform', 'data', 'sync', 'features', 'shell'].map((layer) => `${rendererSrc}/${layer}`),
    message: 'common/ is the ground of the renderer: it imports nothing of ours but protocol/.',
  },
  {
    target: `${rendererSrc}/domain`,
    from: ['platform', 'data', 'sync', 'features', 'shell'].map((layer) => `${rendererSrc}/${layer}`),
    message: 'domain/ holds pure rules: it imports only common/ (no React state, no Dexie, no network).',
  },
  {
    target: `${rendererSrc}/platform`,
    from: ['data', 'sync', 'features', 'shell'].map((layer) => `${rendererSrc}/${layer}`),
    message: 'platform/ imports only domain/ and common/; it never reaches the cache or anything above.',
  },
  {
    target: `${rendererSrc}/data`,
    from: ['platform', 'sync', 'features', 'shell'].map((layer) => `${rendererSrc}/${layer}`),
    message: 'data/ imports only domain/ and common/; it never reaches the platform or anything above.',
  },
  {
    target: `${rendererSrc}/sync`,
    from: ['features', 'shell'].map((layer) => `${rendererSrc}/${layer}`),
    message: 'sync/ never imports features/ or shell/: views depend on the engine, not the reverse.',
  },
  {
    target: `${rendererSrc}/features`,
    from: `${rendererSrc}/shell`,
    message: 'features/ never imports shell/: the frame composes the features.',
  },
  {
    target: `${rendererSrc}/shell`,
    from: `${rendererSrc}/features/**`,
    except: ['**/renderer/src/features/*/index.ts'],
    message: 'The shell reaches a feature only through its index.ts.',
  },
  ...rendererFeatures.map((feature) => ({
    target: `${rendererSrc}/features/${feature}`,
    from: `${rendererSrc}/features/**`,
    except: [`**/renderer/src/features/${feature}/**`, '**/renderer/src/features/*/index.ts'],
    message: 'A feature reaches another feature only through its index.ts.',
  })),
];

/**
 * The server's layers: transport → modules → platform, and the composition root
 * (server/src/*.ts) and the demo above them all. Inside modules/, one module reaches
 * another only through its index.ts: its other files are its own.
 */
const serverSrc = path.join(import.meta.dirname, 'server/src');
const serverRoot = ['server.ts', 'main.ts', 'config.ts', 'testing.ts'].map((file) => `./server/src/${file}`);
const serverModules = fs
  .readdirSync(path.join(serverSrc, 'modules'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const serverLayers = [
  {
    target: './server/src/platform',
    from: ['./server/src/modules', './server/src/transport', './server/src/demo', ...serverRoot],
    message: 'platform/ is the bottom layer: it imports no module, transport, demo or composition root.',
  },
  {
    target: './server/src/modules',
    from: ['./server/src/transport', './server/src/demo', ...serverRoot],
    message: 'modules/ import platform/ and each other, never transport/, demo/ or the composition root.',
  },
  {
    target: './server/src/transport',
    from: ['./server/src/demo', ...serverRoot],
    message: 'transport/ imports modules/ and platform/, never demo/ or the composition root.',
  },
  ...serverModules.map((name) => ({
    target: `./server/src/modules/${name}`,
    from: path.join(serverSrc, 'modules/*/**'),
    except: [path.join(serverSrc, 'modules', name, '**'), path.join(serverSrc, 'modules/*/index.ts')],
    message: `modules/${name} reaches another module only through that module's index.ts.`,
  })),
];

/** The same rules for imports by package name, which a path zone cannot see. */
function forbidPackages(/** @type {string[]} */ names, /** @type {string} */ message) {
  return {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: names.flatMap((name) => [name, `${name}/*`]), message }] },
    ],
  };
}

const focusedOrSkipped = [
  {
    selector: "MemberExpression[object.name=/^(it|test|describe|suite)$/][property.name='only']",
    message: '.only would silently skip the rest of the suite.',
  },
  {
    selector:
      "CallExpression[callee.object.name=/^(it|test|describe|suite)$/][callee.property.name='skip'][arguments.length<2]",
    message: 'A skipped test needs a condition and a printed reason: test.skip(condition, "why").',
  },
  {
    selector: "CallExpression[callee.object.name=/^(it|describe|suite)$/][callee.property.name='skip']",
    message:
      'Do not skip tests; fix them, or skip with test.skip(condition, "why") where the environment lacks something.',
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.tsbuild/**',
      'test-results/**',
      'playwright-report/**',
      'bench-results/**',
      'release/**',
      '.parley-demo/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          // Tool configs belong to no runtime, nor do the types of the scripts' shared modules:
          // they are checked against tsconfig.tools.json.
          allowDefaultProject: ['*.config.ts', 'renderer/vite.config.ts', 'scripts/*.d.mts'],
          defaultProject: 'tsconfig.tools.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          alwaysTryTypes: true,
          project: ['**/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...zones, ...rendererLayers, ...serverLayers] }],
      'no-restricted-syntax': ['error', ...focusedOrSkipped],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['protocol/**'],
    rules: forbidPackages(
      ['@parley/server', '@parley/renderer', '@parley/main', '@parley/preload'],
      'protocol/ imports nothing of ours.',
    ),
  },
  {
    files: ['renderer/**'],
    rules: forbidPackages(
      ['@parley/server', '@parley/main', '@parley/preload'],
      'renderer/ never imports server/, main/ or preload/.',
    ),
  },
  {
    files: ['server/**'],
    rules: forbidPackages(
      ['@parley/renderer', '@parley/main', '@parley/preload'],
      'server/ never imports renderer/, main/ or preload/.',
    ),
  },
  {
    files: ['main/**', 'preload/**'],
    rules: forbidPackages(
      ['@parley/renderer', '@parley/server'],
      'main/ and preload/ never import renderer/ or server/.',
    ),
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}', 'renderer/test/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    ...reactHooks.configs.flat['recommended-latest'],
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: globals.node,
    },
    // JavaScript cannot state its types: a script's exports have theirs in a .d.mts beside it.
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/explicit-module-boundary-types': 'off' },
  },
  {
    files: ['renderer/service-worker.js'],
    languageOptions: { globals: { ...globals.serviceworker, __VERSION__: 'readonly', __PRECACHE__: 'readonly' } },
  },
);
