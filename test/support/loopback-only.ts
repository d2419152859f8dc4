/**
 * Tests never reach beyond this machine. The servers they start would otherwise call
 * Meta's Graph API or a CDN URL found in a test payload; this makes any such request fail
 * at once, loudly, instead of leaving the machine.
 */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const realFetch = globalThis.fetch;

function hostOf(input: Parameters<typeof fetch>[0]): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return new URL(url).hostname;
}

if (!('parleyLoopbackOnly' in globalThis)) {
  Object.defineProperty(globalThis, 'parleyLoopbackOnly', { value: true });
  globalThis.fetch = (input, init) => {
    const host = hostOf(input);
    if (!LOOPBACK.has(host)) {
      return Promise.reject(new Error(`Tests may only reach 127.0.0.1; refused a request to ${host}.`));
    }
    return realFetch(input, init);
  };
}

/** Where test servers send Graph API calls unless a test starts a fake: a closed local port. */
export const UNREACHABLE_GRAPH = { baseUrl: 'http://127.0.0.1:9', version: 'v21.0' };
