// Bundles the main process into one file for the installers, so the packaged app carries
// no node_modules: zod, @parley/protocol and electron-updater are inlined, Electron is
// provided at run time.
// Development runs main/dist/index.js (tsc's output) directly.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: [path.join(here, 'src', 'index.ts')],
  outfile: path.join(here, 'dist', 'main.bundle.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  external: ['electron'],
  tsconfig: path.join(here, 'tsconfig.json'),
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  // electron-updater is CommonJS and calls require('electron') and Node's modules at run
  // time; an ES module has no require, so the bundle makes one.
  banner: {
    js: "import { createRequire as __parleyCreateRequire } from 'node:module'; const require = __parleyCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
console.log('main: main/dist/main.bundle.mjs');
