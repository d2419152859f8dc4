/**
 * `parley://` links: what they may say, and how they reach the running app. A link comes
 * from anywhere (a web page, a chat, another program), so it is parsed strictly and
 * anything that is not exactly a known form is dropped.
 */
import { z } from 'zod';

export const DEEP_LINK_SCHEME = 'parley';

export type DeepLink = { kind: 'conversation'; id: string };

/** Conversation ids are UUIDs on the server; any other id-like token is accepted, no more. */
const idSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/);
const MAX_LINK_LENGTH = 512;

/**
 * `parley://conversation/<id>` (a trailing slash allowed, the scheme in any case) → the link;
 * anything else → null. The text is matched as written rather than after URL parsing, which
 * would resolve `..` segments and percent-escapes into something the sender did not write.
 */
export function parseDeepLink(raw: unknown): DeepLink | null {
  if (typeof raw !== 'string' || raw.length > MAX_LINK_LENGTH) return null;
  const prefix = `${DEEP_LINK_SCHEME}://`;
  if (raw.slice(0, prefix.length).toLowerCase() !== prefix) return null;
  const match = /^conversation\/([^/?#]+)\/?$/.exec(raw.slice(prefix.length));
  const id = idSchema.safeParse(match?.[1]);
  return id.success ? { kind: 'conversation', id: id.data } : null;
}

/**
 * The link in a command line: how Windows and Linux hand one to the app, both at launch and
 * in the second instance's argv. Only an argument that is itself a `parley:` URL counts.
 */
export function deepLinkFromArgv(argv: readonly string[]): DeepLink | null {
  for (const arg of argv) {
    if (!arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) continue;
    const link = parseDeepLink(arg);
    if (link !== null) return link;
  }
  return null;
}

/**
 * The arguments for `app.setAsDefaultProtocolClient`. A packaged app registers itself;
 * a development run (`electron .`, where `process.defaultApp` is set) must register
 * Electron with the path of the app, or the OS would start a bare Electron.
 */
export function protocolClientArgs(options: {
  defaultApp: boolean;
  execPath: string;
  argv: readonly string[];
  resolve: (file: string) => string;
}): [scheme: string] | [scheme: string, path: string, args: string[]] {
  const appPath = options.argv[1];
  if (!options.defaultApp || appPath === undefined) return [DEEP_LINK_SCHEME];
  return [DEEP_LINK_SCHEME, options.execPath, [options.resolve(appPath)]];
}

/** Sends a link to the page; false when there is no page to take it (closed, reloading). */
export type DeliverLink = (link: DeepLink) => boolean;

/**
 * Receives links from every route (launch argv, a second instance, macOS's `open-url`),
 * tells the app to show itself, and hands each link to the page exactly once. A link that
 * arrives before the page listens (at launch, or while it reloads) waits: the page takes
 * it when ready (`take`, the `deepLink:take` channel), and from then on links go to it as
 * they come (`attach`, the `conversation:open` event). Only the newest waiting link is
 * kept: the agent asked for that one last.
 */
export class DeepLinkInbox {
  private latest: DeepLink | null = null;
  private pending: DeepLink | null = null;
  private deliver: DeliverLink | null = null;

  constructor(private readonly onLink: (link: DeepLink) => void) {}

  /** A raw URL (macOS `open-url`). Returns the link, or null when it was refused. */
  receiveUrl(raw: string): DeepLink | null {
    return this.accept(parseDeepLink(raw));
  }

  /**
   * A conversation the shell itself asks for (a notification's click): handed to the page
   * like a link, so that one clicked while the page reloads waits for it too.
   */
  open(conversationId: string): DeepLink | null {
    const id = idSchema.safeParse(conversationId);
    return id.success ? this.accept({ kind: 'conversation', id: id.data }) : null;
  }

  /** A command line (launch, or a second instance on Windows and Linux). */
  receiveArgv(argv: readonly string[]): DeepLink | null {
    return this.accept(deepLinkFromArgv(argv));
  }

  last(): DeepLink | null {
    return this.latest;
  }

  /**
   * The page is ready: the link waiting for it (handed over once), and later links are
   * sent through `deliver` as they arrive.
   */
  take(deliver: DeliverLink): DeepLink | null {
    this.deliver = deliver;
    const waiting = this.pending;
    this.pending = null;
    return waiting;
  }

  /** The page is gone or reloading: links wait again until it takes them. */
  detach(): void {
    this.deliver = null;
  }

  private accept(link: DeepLink | null): DeepLink | null {
    if (link === null) return null;
    this.latest = link;
    const delivered = this.deliver !== null && this.deliver(link);
    if (!delivered) {
      this.deliver = null;
      this.pending = link;
    }
    this.onLink(link);
    return link;
  }
}
