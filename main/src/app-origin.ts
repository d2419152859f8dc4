/**
 * Where the app's own pages live. The renderer is served from a privileged custom scheme
 * rather than `file://`, so that it gets a real origin: `file://` pages share one origin
 * with every file on disk, which would make the origin checks below meaningless.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'parley';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The `scheme://host[:port]` of a URL, or null when it does not parse.
 *
 * Not `URL#origin`: the WHATWG parser gives custom schemes an opaque origin (`"null"`),
 * whereas Chromium treats our registered standard scheme as a tuple origin. Comparing
 * scheme and host ourselves gives the answer Chromium would.
 */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.host === '') return null;
  return `${parsed.protocol}//${parsed.host}`;
}

export function isAppOrigin(url: string, appOrigin: string = APP_ORIGIN): boolean {
  return originOf(url) === appOrigin;
}
