export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

export type ShellConfig = {
  /** The Parley server, without a trailing slash: what the renderer is told to talk to. */
  serverUrl: string;
  /** Its origin: what the Content-Security-Policy lets the renderer connect to. */
  serverOrigin: string;
};

/**
 * Reads the shell's configuration from the environment. Throws with a readable message on
 * a bad value: starting against a half-parsed URL would only fail later and less clearly.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ShellConfig {
  const raw = env['PARLEY_SERVER_URL']?.trim() || DEFAULT_SERVER_URL;
  return parseServerUrl(raw);
}

export function parseServerUrl(raw: string): ShellConfig {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`PARLEY_SERVER_URL is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`PARLEY_SERVER_URL must be http or https, got ${url.protocol}`);
  }
  // Credentials in the URL would end up in the CSP header and in app:getInfo.
  if (url.username !== '' || url.password !== '') {
    throw new Error('PARLEY_SERVER_URL must not contain credentials');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error('PARLEY_SERVER_URL must not have a query or a fragment');
  }
  const path = url.pathname.replace(/\/+$/, '');
  return { serverUrl: `${url.origin}${path}`, serverOrigin: url.origin };
}
