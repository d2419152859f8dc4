/**
 * The `app://parley/…` protocol: serves the built renderer from disk with the app's
 * Content-Security-Policy. Electron's `protocol` module is injected, so this runs in Node.
 */
import path from 'node:path';
import type { Protocol } from 'electron';
import { APP_HOST, APP_SCHEME } from './app-origin.js';

export type AppPathResolution =
  | { kind: 'file'; filePath: string }
  /** An extension-less path is a client-side route: the SPA's index.html answers it. */
  | { kind: 'route'; filePath: string }
  | { kind: 'refused'; reason: string };

const INDEX_FILE = 'index.html';

/**
 * Maps a request URL to a file inside `rootDir`, or refuses it.
 *
 * Works on the raw URL text rather than on `URL#pathname`: the WHATWG parser would quietly
 * fold `/../` and `%2e%2e` away, and `..%2f` survives it as one segment that only becomes
 * a traversal once decoded. Any `..` segment after decoding is refused outright, and the
 * resolved path must still be inside the root.
 */
export function resolveAppPath(requestUrl: string, rootDir: string): AppPathResolution {
  const prefix = `${APP_SCHEME}://${APP_HOST}`;
  if (!requestUrl.toLowerCase().startsWith(prefix)) {
    return { kind: 'refused', reason: 'not an app URL' };
  }
  const rest = requestUrl.slice(prefix.length);
  if (rest !== '' && !/^[/?#]/.test(rest)) {
    // e.g. app://parley.evil/… or app://parley:1234/…
    return { kind: 'refused', reason: 'wrong host' };
  }
  const rawPath = rest.split(/[?#]/, 1)[0] ?? '';

  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'refused', reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0')) return { kind: 'refused', reason: 'NUL byte' };

  // Both separators: on Windows a decoded backslash is a path separator too.
  const segments = decoded.split(/[\\/]/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return { kind: 'refused', reason: 'path traversal' };

  const root = path.resolve(rootDir);
  const last = segments.at(-1);
  if (last === undefined) return { kind: 'route', filePath: path.join(root, INDEX_FILE) };
  if (path.extname(last) === '') return { kind: 'route', filePath: path.join(root, INDEX_FILE) };

  const filePath = path.resolve(root, ...segments);
  const relative = path.relative(root, filePath);
  // Belt and braces: a drive letter or UNC prefix in a segment could still escape on Windows.
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return { kind: 'refused', reason: 'outside the renderer folder' };
  }
  return { kind: 'file', filePath };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

export type AppFileReader = (filePath: string) => Promise<Uint8Array>;

export type AppProtocolOptions = {
  /** The built renderer: `<app path>/renderer/dist`. */
  rootDir: string;
  /** The value of the Content-Security-Policy header, sent with every response. */
  contentSecurityPolicy: string;
  readFile: AppFileReader;
};

function securityHeaders(options: AppProtocolOptions): Record<string, string> {
  return {
    'Content-Security-Policy': options.contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
  };
}

function notFound(options: AppProtocolOptions): Response {
  return new Response('Not found', {
    status: 404,
    headers: { ...securityHeaders(options), 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** Answers one `app://` request. Never throws for a missing or refused file: that is a 404. */
export async function serveAppRequest(
  request: { readonly url: string; readonly method: string },
  options: AppProtocolOptions,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response('Method not allowed', {
      status: 405,
      headers: { ...securityHeaders(options), Allow: 'GET, HEAD' },
    });
  }
  const resolution = resolveAppPath(request.url, options.rootDir);
  if (resolution.kind === 'refused') return notFound(options);
  let body: Uint8Array;
  try {
    body = await options.readFile(resolution.filePath);
  } catch (error) {
    if (isMissingFile(error)) return notFound(options);
    throw error;
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      ...securityHeaders(options),
      'Content-Type': contentTypeFor(resolution.filePath),
      // The shell is updated as a whole, so a stale cached bundle would mix two versions.
      'Cache-Control': 'no-cache',
    },
  });
}

/** Registers the `app` protocol handler for the app's session, and removes it on dispose. */
export class AppProtocol {
  private registered = false;

  constructor(
    private readonly protocol: Pick<Protocol, 'handle' | 'unhandle'>,
    private readonly options: AppProtocolOptions,
  ) {}

  start(): void {
    if (this.registered) return;
    this.protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, this.options));
    this.registered = true;
  }

  dispose(): void {
    if (!this.registered) return;
    this.protocol.unhandle(APP_SCHEME);
    this.registered = false;
  }
}
