import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendApiError } from './errors.js';
import { contentSecurityPolicy } from '@parley/protocol';

/**
 * Serves the renderer's web build, so the same app runs in any browser against this
 * server. Hashed assets are cached for good; index.html and the service worker never.
 */
export async function webRoutes(app: FastifyInstance, webDir: string): Promise<boolean> {
  if (!fs.existsSync(path.join(webDir, 'index.html'))) {
    app.log.warn({ webDir }, 'no web build found: the web app is not served (run `npm run build:renderer`)');
    return false;
  }
  const csp = contentSecurityPolicy([]);
  await app.register(fastifyStatic, {
    root: webDir,
    index: ['index.html'],
    wildcard: false,
    setHeaders(res, file): void {
      res.setHeader('Content-Security-Policy', csp);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      const immutable = file.includes(`${path.sep}assets${path.sep}`);
      res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // Client-side routes load the app shell.
  app.setNotFoundHandler((request, reply) => {
    const wantsPage = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (wantsPage && !request.url.startsWith('/api/') && !request.url.startsWith('/webhooks/')) {
      return reply.header('Content-Security-Policy', csp).header('Cache-Control', 'no-cache').sendFile('index.html');
    }
    return sendApiError(reply, 404, 'not_found', 'route_missing', { method: request.method, url: request.url });
  });
  return true;
}
