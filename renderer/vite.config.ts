import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Emits the service worker with the list of this build's files, so a browser that has
 * opened the app once can reload it with the server down (the desktop app has its files
 * locally and does not need it).
 */
function serviceWorker(): Plugin {
  return {
    name: 'parley-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((name) => !name.endsWith('.map'));
      const precache = ['/', ...files.map((name) => `/${name}`), '/icon.svg'];
      const version = createHash('sha256').update(precache.join('\n')).digest('hex').slice(0, 16);
      const template = readFileSync(fileURLToPath(new URL('./service-worker.js', import.meta.url)), 'utf8');
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: template
          .replace('__PRECACHE__', JSON.stringify(precache))
          .replace('__VERSION__', JSON.stringify(version)),
      });
    },
  };
}

/**
 * Has the browser fetch and compile the app's frame (React's renderer, MUI, the screens) with
 * the entry rather than after it: the entry starts opening the cache first, then imports the
 * frame, which is then ready to run.
 */
function preloadFrame(): Plugin {
  return {
    name: 'parley-preload-frame',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const bundle = context.bundle ?? {};
        const frame = Object.values(bundle).find(
          (output) => output.type === 'chunk' && output.facadeModuleId?.endsWith('/src/shell/root.tsx') === true,
        );
        if (frame === undefined || frame.type !== 'chunk') return [];
        // The entry and what it imports are in the page already.
        const known = new Set<string>();
        for (const output of Object.values(bundle)) {
          if (output.type !== 'chunk' || !output.isEntry) continue;
          known.add(output.fileName);
          for (const file of output.imports) known.add(file);
        }
        const files = [frame.fileName, ...frame.imports].filter((file) => !known.has(file));
        return files.map((file) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: true, href: `./${file}` },
          injectTo: 'head' as const,
        }));
      },
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs let the same build load from the server and from app://parley.
  base: './',
  plugins: [react(), serviceWorker(), preloadFrame()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
