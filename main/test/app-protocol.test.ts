import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contentSecurityPolicy } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppProtocol, resolveAppPath, serveAppRequest, type AppProtocolOptions } from '../src/app-protocol.js';

let workspace: string;
let rootDir: string;
let options: AppProtocolOptions;
const csp = contentSecurityPolicy(['http://127.0.0.1:8080']);

beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'parley-app-protocol-'));
  rootDir = path.join(workspace, 'renderer', 'dist');
  await mkdir(path.join(rootDir, 'assets'), { recursive: true });
  await writeFile(path.join(rootDir, 'index.html'), '<!doctype html><title>Parley</title>');
  await writeFile(path.join(rootDir, 'assets', 'app.js'), 'console.log("app")');
  await writeFile(path.join(workspace, 'secret.txt'), 'TOP SECRET');
  // A sibling whose name starts like the root: a naive startsWith check would let it through.
  await mkdir(path.join(workspace, 'renderer', 'dist-private'), { recursive: true });
  await writeFile(path.join(workspace, 'renderer', 'dist-private', 'key.txt'), 'TOP SECRET');
  options = { rootDir, contentSecurityPolicy: csp, readFile: (file) => readFile(file) };
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

function get(url: string): Promise<Response> {
  return serveAppRequest({ url, method: 'GET' }, options);
}

describe('resolveAppPath', () => {
  it('maps a file under the root', () => {
    expect(resolveAppPath('app://parley/assets/app.js', rootDir)).toEqual({
      kind: 'file',
      filePath: path.join(rootDir, 'assets', 'app.js'),
    });
  });

  it('ignores the query and the fragment', () => {
    expect(resolveAppPath('app://parley/assets/app.js?v=2#x', rootDir)).toEqual({
      kind: 'file',
      filePath: path.join(rootDir, 'assets', 'app.js'),
    });
  });

  it.each([
    'app://parley/../../etc/passwd',
    'app://parley/../secret.txt',
    'app://parley/%2e%2e/%2e%2e/etc/passwd',
    'app://parley/%2E%2E/secret.txt',
    'app://parley/..%2f..%2fsecret.txt',
    'app://parley/assets/..%5c..%5csecret.txt',
    'app://parley/..%2fdist-private/key.txt',
    'app://parley/assets/%252e%252e/x.js/../../secret.txt',
  ])('refuses the traversal %s', (url) => {
    expect(resolveAppPath(url, rootDir)).toMatchObject({ kind: 'refused' });
  });

  it.each([
    'app://parley.evil/index.html',
    'app://parley:8080/index.html',
    'https://parley/index.html',
    'app://parley/%E0%A4%A.js',
    'app://parley/index.html%00.js',
  ])('refuses %s', (url) => {
    expect(resolveAppPath(url, rootDir)).toMatchObject({ kind: 'refused' });
  });

  it.each(['app://parley', 'app://parley/', 'app://parley/inbox', 'app://parley/conversations/42'])(
    'answers the client-side route %s with index.html',
    (url) => {
      expect(resolveAppPath(url, rootDir)).toEqual({
        kind: 'route',
        filePath: path.join(rootDir, 'index.html'),
      });
    },
  );
});

describe('serveAppRequest', () => {
  it('serves a file with its type and the CSP header', async () => {
    const response = await get('app://parley/assets/app.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(csp);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe('console.log("app")');
  });

  it('falls back to index.html for an extension-less path', async () => {
    const response = await get('app://parley/conversations/42');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(csp);
    expect(await response.text()).toContain('<title>Parley</title>');
  });

  it.each([
    'app://parley/%2e%2e/%2e%2e/secret.txt',
    'app://parley/..%2fsecret.txt',
    'app://parley/..%2fdist-private/key.txt',
  ])('answers the traversal %s with a 404 that still carries the CSP', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(csp);
    expect(await response.text()).not.toContain('TOP SECRET');
  });

  it('answers a missing asset with a 404, not with index.html', async () => {
    const response = await get('app://parley/assets/missing.js');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(csp);
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await serveAppRequest({ url: 'app://parley/index.html', method: 'POST' }, options);
    expect(response.status).toBe(405);
    expect(response.headers.get('content-security-policy')).toBe(csp);
  });
});

describe('AppProtocol', () => {
  it('registers the app scheme on start and removes it on dispose', async () => {
    const handlers = new Map<string, (request: Request) => Response | Promise<Response>>();
    const protocol = {
      handle: vi.fn((scheme: string, handler: (request: Request) => Response | Promise<Response>) => {
        handlers.set(scheme, handler);
      }),
      unhandle: vi.fn((scheme: string) => {
        handlers.delete(scheme);
      }),
    };
    const appProtocol = new AppProtocol(protocol, options);
    appProtocol.start();
    const handler = handlers.get('app');
    expect(handler).toBeDefined();
    const response = await handler?.(new Request('app://parley/index.html'));
    expect(response?.status).toBe(200);
    expect(response?.headers.get('content-security-policy')).toBe(csp);
    appProtocol.dispose();
    expect(protocol.unhandle).toHaveBeenCalledWith('app');
    expect(handlers.size).toBe(0);
  });
});
