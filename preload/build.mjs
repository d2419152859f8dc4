// Bundles the preload into ONE CommonJS file. A sandboxed preload runs with a `require`
// that knows only `electron` and a few builtins, so zod and @parley/protocol must be inside
// the bundle; `electron` stays external because Electron provides it.
//
// Size: almost all of the bundle is zod, which comes with `isDesktopChannel` (it checks
// keys of `desktopChannels`, whose values are zod schemas, and zod's `z` namespace does
// not tree-shake). Minified by default because the preload is parsed on every page load.
//
// Usage: node preload/build.mjs [--outfile <path>] [--debug]   (--debug: not minified)
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

const { values } = parseArgs({
  options: {
    outfile: { type: 'string', default: path.join(here, 'dist', 'preload.cjs') },
    debug: { type: 'boolean', default: false },
  },
});

await build({
  entryPoints: [path.join(here, 'src', 'preload.ts')],
  outfile: values.outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Electron 39 ships Chromium 142; this only bounds which syntax esbuild may leave as is.
  target: 'chrome130',
  external: ['electron'],
  tsconfig: path.join(here, 'tsconfig.json'),
  minify: !values.debug,
  sourcemap: values.debug ? 'inline' : false,
  legalComments: 'none',
  logLevel: 'warning',
});

const { size } = await stat(values.outfile);
console.log(`preload: ${path.relative(process.cwd(), values.outfile)} (${(size / 1024).toFixed(1)} KiB)`);
