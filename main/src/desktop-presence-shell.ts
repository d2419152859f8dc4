/**
 * Notifications, the unread badge, the tray and presence from the operating system, wired
 * to Electron's objects (handed in by the composition root, never imported here). The
 * rules live in `notifications.ts`, `badge.ts`, `tray.ts`, `power-presence.ts` and
 * `shell-preferences.ts`; this file only connects them.
 */
import type { App, BrowserWindow, Menu, NativeImage, Notification, PowerMonitor, Tray } from 'electron';
import type { DesktopEvent, DesktopEventPayload, Presence, ShellPreferences } from '@parley/protocol';
import { applyBadge } from './badge.js';
import type { ShellHandlerDeps } from './handlers.js';
import { sendDesktopEvent } from './ipc.js';
import { NotificationCenter } from './notifications.js';
import { PowerPresenceWatcher, PresenceMachine, type PresenceCommand } from './power-presence.js';
import type { ShellPreferencesStore } from './shell-preferences.js';
import { buildTrayMenuTemplate, hidesOnClose, trayTooltip } from './tray.js';
import { trayShown } from './tray-host.js';
import type { ShellWords } from './words.js';

export type DesktopPresenceShellDeps = {
  app: Pick<App, 'setBadgeCount' | 'quit' | 'on'> & { dock?: Pick<NonNullable<App['dock']>, 'setBadge'> };
  platform: string;
  appOrigin: string;
  Notification: {
    isSupported(): boolean;
    new (options: { title: string; body: string; silent: boolean }): Notification;
  };
  Tray: new (image: NativeImage) => Tray;
  Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  nativeImage: {
    createFromPath(path: string): NativeImage;
    createFromBitmap(buffer: Buffer, options: { width: number; height: number }): NativeImage;
  };
  powerMonitor: PowerMonitor;
  /** The tray icon's PNG; the tray is left out when it cannot be read. */
  trayIconPath: string;
  /** `XDG_CURRENT_DESKTOP`, and whether a StatusNotifierItem watcher runs (null: unknown). */
  trayHost: { desktop: string | undefined; watcher(): Promise<boolean | null> };
  preferences: ShellPreferencesStore;
  words(): ShellWords;
  mainWindow(): BrowserWindow | null;
  /** Restores, shows and focuses the main window, opening it when it is gone. */
  bringForward(): BrowserWindow | null;
  /** Hands a conversation to the page (a notification's click), waiting for it while it reloads. */
  openConversation(conversationId: string): void;
  log(message: string, error?: unknown): void;
};

export class DesktopPresenceShell {
  readonly notifications: NotificationCenter;
  private readonly machine = new PresenceMachine();
  private readonly watcher: PowerPresenceWatcher;
  private tray: Tray | null = null;
  /** Whether the desktop shows the tray: a guess from the desktop's name until D-Bus answers. */
  private trayVisible: boolean;
  private unread = 0;
  private quitting = false;

  constructor(private readonly deps: DesktopPresenceShellDeps) {
    this.trayVisible = trayShown({ platform: deps.platform, desktop: deps.trayHost.desktop, watcher: null });
    this.notifications = new NotificationCenter({
      platform: deps.platform,
      isSupported: () => deps.Notification.isSupported(),
      create: (options) => new deps.Notification(options),
      bringForward: () => void deps.bringForward(),
      openConversation: (conversationId) => deps.openConversation(conversationId),
      setTimeout: (run, ms) => setTimeout(run, ms),
      clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
      log: (message, error) => deps.log(message, error),
    });
    this.watcher = new PowerPresenceWatcher({
      powerMonitor: deps.powerMonitor,
      machine: this.machine,
      idleMinutes: () => deps.preferences.get().idleMinutes,
      send: (command) => this.askPresence(command),
      setInterval: (run, ms) => setInterval(run, ms),
      clearInterval: (timer) => clearInterval(timer as NodeJS.Timeout),
    });
  }

  /** What the page's channels reach. */
  handlers(): ShellHandlerDeps {
    return {
      showNotification: (notification) => this.notifications.show(notification),
      testNotification: (request) => this.notifications.test(request),
      setBadge: (count) => this.setBadge(count),
      setPreferences: (preferences: ShellPreferences) => this.deps.preferences.set(preferences),
      presenceChanged: (presence: Presence) => {
        this.machine.report(presence);
        this.refreshTray();
      },
    };
  }

  start(): void {
    this.deps.app.on('before-quit', () => {
      this.quitting = true;
    });
    this.watcher.start();
    try {
      const icon = this.deps.nativeImage.createFromPath(this.deps.trayIconPath);
      if (icon.isEmpty()) throw new Error(`no image at ${this.deps.trayIconPath}`);
      this.tray = new this.deps.Tray(icon);
      // Windows and Linux open the app on a click; macOS shows the menu, as its trays do.
      if (this.deps.platform !== 'darwin') this.tray.on('click', () => void this.deps.bringForward());
      this.refreshTray();
    } catch (error) {
      this.deps.log('No tray icon', error);
    }
    if (this.deps.platform === 'linux') {
      void this.deps.trayHost.watcher().then((watcher) => {
        this.trayVisible = trayShown({ platform: this.deps.platform, desktop: this.deps.trayHost.desktop, watcher });
        if (!this.trayVisible) this.deps.log('This desktop shows no tray icons: closing the window quits Parley');
      });
    }
  }

  /** The app is about to quit without `before-quit` first (an update installing): close for real. */
  prepareToQuit(): void {
    this.quitting = true;
  }

  /** Called with each new main window: closing it hides it while the tray holds the app. */
  track(window: BrowserWindow): void {
    window.on('close', (event) => {
      const preferences = this.deps.preferences.get();
      if (
        hidesOnClose({
          platform: this.deps.platform,
          closeToTray: preferences.closeToTray,
          hasTray: this.tray !== null && this.trayVisible,
          quitting: this.quitting,
        })
      ) {
        event.preventDefault();
        window.hide();
      }
    });
    // A new window's page has not heard the count yet; the overlay belongs to the window.
    this.setBadge(this.unread);
  }

  /** The language changed: the tray speaks it. */
  refreshTray(): void {
    if (this.tray === null) return;
    const words = this.deps.words();
    this.tray.setToolTip(trayTooltip(words, this.unread));
    this.tray.setContextMenu(
      this.deps.Menu.buildFromTemplate(
        buildTrayMenuTemplate({
          words,
          presence: this.machine.presence,
          onPresence: (presence) => {
            this.machine.chose();
            this.askPresence({ presence, reason: 'tray' });
          },
          onOpen: () => void this.deps.bringForward(),
          onQuit: () => {
            this.quitting = true;
            this.deps.app.quit();
          },
        }),
      ),
    );
  }

  dispose(): void {
    this.watcher.dispose();
    this.notifications.dispose();
    this.tray?.destroy();
    this.tray = null;
  }

  private setBadge(count: number): void {
    this.unread = count;
    const words = this.deps.words();
    const window = this.deps.mainWindow();
    applyBadge(
      {
        platform: this.deps.platform,
        setBadgeCount: (value) => this.deps.app.setBadgeCount(value),
        setDockBadge: this.deps.app.dock === undefined ? undefined : (text) => this.deps.app.dock?.setBadge(text),
        setOverlay: (bitmap, description) => {
          if (window === null || window.isDestroyed()) return;
          window.setOverlayIcon(
            bitmap === null ? null : this.deps.nativeImage.createFromBitmap(bitmap.buffer, bitmap),
            description,
          );
        },
      },
      count,
      words('badge.unread', { count }),
    );
    this.tray?.setToolTip(trayTooltip(words, count));
  }

  private askPresence(command: PresenceCommand): void {
    this.sendToPage('presence:set', command);
  }

  private sendToPage<E extends DesktopEvent>(event: E, payload: DesktopEventPayload<E>): void {
    const window = this.deps.mainWindow();
    if (window === null || window.isDestroyed()) return;
    const contents = window.webContents;
    const send = (): void => {
      if (!sendDesktopEvent(contents, this.deps.appOrigin, event, payload)) {
        this.deps.log(`The page did not hear ${event}`);
      }
    };
    // A window just reopened by the click hears it once its page has loaded.
    if (contents.isLoading()) contents.once('did-finish-load', send);
    else send();
  }
}
