/**
 * Native notifications for the page: it decides what to tell (its policy knows the agent's
 * settings, the conversation on screen and the quiet hours); this shows it with Electron's
 * `Notification`, brings the window forward on a click and asks the page to open the
 * conversation. A notification with the id of one still shown replaces it, so a
 * conversation or the digest after a reconnect is one notification, never a pile.
 *
 * Electron's `Notification` is injected, so this runs in Node.
 */
import type { NativeNotification, NotificationTestOutcome, NotificationTestRequest } from '@parley/protocol';

/** What this module uses of an Electron `Notification`. */
export type NotificationLike = {
  on(event: 'click' | 'close' | 'show', listener: () => void): unknown;
  on(event: 'failed', listener: (event: unknown, error: string) => void): unknown;
  show(): void;
  close(): void;
};

export type NotificationOptions = { title: string; body: string; silent: boolean };

export type NotificationCenterDeps = {
  /** On Linux the notification daemon reads the body as markup: it is escaped there. */
  platform: string;
  isSupported(): boolean;
  create(options: NotificationOptions): NotificationLike;
  /** Restores, shows and focuses the main window (opening it if it is gone). */
  bringForward(): void;
  /** Asks the page to show this conversation. */
  openConversation(conversationId: string): void;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  log(message: string, error?: unknown): void;
};

/** How long a test notification may take to show before the system is said to hold it back. */
export const TEST_TIMEOUT_MS = 5000;

/** At most this many notifications are kept for their click; the oldest is let go first. */
export const MAX_KEPT = 50;

export class NotificationCenter {
  /** Shown notifications by id: kept so a click still reaches us, and so the same id replaces. */
  private readonly shown = new Map<string, NotificationLike>();

  constructor(private readonly deps: NotificationCenterDeps) {}

  /** Shows one notification; false when the system has no notifications to show it with. */
  show(request: NativeNotification): boolean {
    if (!this.deps.isSupported()) return false;
    this.forget(request.id, true);
    const body = this.deps.platform === 'linux' ? escapeMarkup(request.body) : request.body;
    const notification = this.deps.create({ title: request.title, body, silent: request.silent });
    const release = (): void => {
      if (this.shown.get(request.id) === notification) this.shown.delete(request.id);
    };
    notification.on('click', () => {
      release();
      this.deps.bringForward();
      if (request.conversationId !== null) this.deps.openConversation(request.conversationId);
    });
    notification.on('close', release);
    notification.on('failed', (_event, error) => {
      release();
      this.deps.log('A notification failed to show', error);
    });
    this.shown.set(request.id, notification);
    while (this.shown.size > MAX_KEPT) {
      const oldest = this.shown.keys().next().value;
      if (oldest === undefined) break;
      this.shown.delete(oldest);
    }
    notification.show();
    return true;
  }

  /**
   * Shows a test notification and reports what the system did with it: `shown` on its
   * 'show' event, `failed` on Windows' 'failed' event, `noShow` when neither came in time
   * (macOS says nothing when the app is not allowed to notify), `unsupported` without a
   * notification service.
   */
  test(request: NotificationTestRequest): Promise<NotificationTestOutcome> {
    if (!this.deps.isSupported()) return Promise.resolve('unsupported');
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: NotificationTestOutcome): void => {
        if (settled) return;
        settled = true;
        this.deps.clearTimeout(timer);
        resolve(outcome);
      };
      const notification = this.deps.create({ title: request.title, body: request.body, silent: false });
      notification.on('show', () => settle('shown'));
      notification.on('failed', (_event, error) => {
        this.deps.log('The test notification failed', error);
        settle('failed');
      });
      notification.on('click', () => this.deps.bringForward());
      const timer = this.deps.setTimeout(() => settle('noShow'), TEST_TIMEOUT_MS);
      this.forget('parley:test', true);
      this.shown.set('parley:test', notification);
      notification.show();
    });
  }

  /** Closes every notification still shown (on quit). */
  dispose(): void {
    for (const id of [...this.shown.keys()]) this.forget(id, true);
  }

  private forget(id: string, close: boolean): void {
    const previous = this.shown.get(id);
    if (previous === undefined) return;
    this.shown.delete(id);
    if (close) previous.close();
  }
}

/**
 * A customer's words as text for a Linux notification daemon, which reads the body as a
 * small markup language (bold, links): `<b>` or `<a href>` in a message shows as text.
 */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
