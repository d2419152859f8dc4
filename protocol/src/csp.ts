/**
 * The Content-Security-Policy of the app's pages, wherever they are served from: the
 * desktop shell's `app://` protocol or the server's own web build. Scripts come only from
 * the app itself; the network only reaches the Parley server. MUI's emotion injects
 * <style> tags at run time, hence `'unsafe-inline'` for styles alone.
 */
export function contentSecurityPolicy(serverOrigins: readonly string[]): string {
  const sockets = serverOrigins.map((origin) => origin.replace(/^http/, 'ws'));
  const connect = ["'self'", ...serverOrigins, ...sockets].join(' ');
  const media = ["'self'", 'data:', 'blob:', ...serverOrigins].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src ${media}`,
    `media-src ${media}`,
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
