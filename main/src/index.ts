/**
 * The composition root of the main process: reads the configuration, builds the services
 * with their dependencies, starts them once Electron is ready and disposes of them on quit.
 * Nothing else in main/ touches Electron's singletons at import time.
 */
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  app,
  autoUpdater as nativeAutoUpdater,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  Tray,
  type WebContents,
} from 'electron';
import { contentSecurityPolicy, type ShellLanguage } from '@parley/protocol';
import electronUpdater from 'electron-updater';
import { APP_ENTRY_URL, APP_ORIGIN, APP_SCHEME } from './app-origin.js';
import { AppProtocol } from './app-protocol.js';
import { configFileCandidates, loadConfig, type ShellConfig } from './config.js';
import { attachContextMenu } from './context-menu.js';
import { DeepLinkInbox, protocolClientArgs } from './deep-link.js';
import { DesktopPresenceShell } from './desktop-presence-shell.js';
import { createDesktopHandlers, type ShellHandlerDeps } from './handlers.js';
import { DesktopIpc, sendDesktopEvent } from './ipc.js';
import type { JsonFiles, Warn } from './json-file.js';
import { buildMenuTemplate, commandKeyPress, type MenuCommand } from './menu.js';
import { menuLabels } from './menu-labels.js';
import { PlaintextConsent } from './plaintext-consent.js';
import { ShellPreferencesStore } from './shell-preferences.js';
import { plaintextConsentDialog } from './plaintext-consent-dialog.js';
import { TokenStore } from './token-store.js';
import { askStatusNotifierWatcher } from './tray-host.js';
import { pickShellLanguage, shellWords } from './words.js';
import {
  UpdateService,
  builtInFeedUrl,
  readUpdateChannel,
  resolveUpdateFeed,
  writeUpdateChannel,
  type UpdateFeed,
} from './updates.js';
import { applyPermissionPolicy, createMainWindow, createPopOutWindow } from './window.js';
import { PopOutSizeStore, PopOutWindows, popOutUrl } from './popout-windows.js';
import { spellcheckControl, spellcheckFile } from './spellcheck.js';
import { updateStatusForPage } from './update-status.js';
import type { WindowHandlerDeps } from './window-handlers.js';
import { placeWindow, WindowStateStore } from './window-state.js';

type Services = {
  appProtocol: AppProtocol;
  tokens: TokenStore;
  ipc: DesktopIpc;
  updates: UpdateService;
};

/** The shell's language: the system's at first, then the one the agent chose in the app. */
let shellLanguage: ShellLanguage = 'en';
const languageListeners = new Set<(language: ShellLanguage) => void>();

/** The shell's warnings: a line in its log, never a stop. */
const warn: Warn = (message, error) => console.warn(message, error ?? '');

function setShellLanguage(language: ShellLanguage): void {
  if (language === shellLanguage) return;
  shellLanguage = language;
  for (const listener of languageListeners) listener(language);
}

/** What the windows' channels need from `main()`: the deep links, the pop-outs, the pages. */
type WindowWiring = Pick<WindowHandlerDeps, 'takeDeepLink' | 'popOut' | 'spellcheck'> & {
  /** Every open page of the app (the main window and the pop-outs). */
  pages: () => WebContents[];
};

async function startServices(
  config: ShellConfig,
  wiring: WindowWiring,
  shellHandlers: ShellHandlerDeps,
): Promise<Services> {
  const appPath = app.getAppPath();
  const appProtocol = new AppProtocol(protocol, {
    rootDir: path.join(appPath, 'renderer', 'dist'),
    contentSecurityPolicy: contentSecurityPolicy([config.serverOrigin]),
    readFile: (filePath) => readFile(filePath),
  });
  // Linux without a keyring: the agent decides, once, whether the sign-in outlives the session.
  const plaintextConsent = new PlaintextConsent({
    filePath: path.join(app.getPath('userData'), 'plaintext-consent.json'),
    ask: async () => (await dialog.showMessageBox(plaintextConsentDialog(shellWords(shellLanguage)))).response === 0,
    onWarning: warn,
  });
  await plaintextConsent.load();
  const tokens = new TokenStore({
    cipher: safeStorage,
    filePath: path.join(app.getPath('userData'), 'session-tokens.json'),
    onWarning: warn,
    plaintextConsent,
  });
  // Updates, in the background: from PARLEY_UPDATE_URL, else `updateUrl` in parley.json, else
  // the feed the installer was built with; off when there is none.
  let feed: UpdateFeed | null = null;
  const updateSettingsPath = path.join(app.getPath('userData'), 'update-settings.json');
  const channel = await readUpdateChannel(updateSettingsPath);
  try {
    const builtIn = app.isPackaged
      ? builtInFeedUrl(readConfigFile(path.join(process.resourcesPath, 'app-update.yml')))
      : undefined;
    feed = resolveUpdateFeed(process.env, config.updateUrl ?? builtIn, channel);
  } catch (error) {
    console.error('Updates are off:', error instanceof Error ? error.message : error);
  }
  // Every page hears the updater's state as it changes (the settings show it).
  const updateStatus = () =>
    updateStatusForPage({
      state: updates.current,
      appVersion: app.getVersion(),
      channel: updates.channel,
      nextCheckAt: updates.nextCheckAt,
      lastCheckedAt: updates.lastCheckedAt,
    });
  const updates: UpdateService = new UpdateService(electronUpdater.autoUpdater, {
    feed,
    onState: (state) => {
      console.info('Update state:', state);
      const status = updateStatus();
      for (const page of wiring.pages()) sendDesktopEvent(page, APP_ORIGIN, 'update:status', status);
    },
    log: warn,
  });
  // With updates off the channel is still shown as chosen.
  if (feed === null) updates.setChannel(channel);

  const ipc = new DesktopIpc(
    ipcMain,
    APP_ORIGIN,
    createDesktopHandlers({
      platform: process.platform,
      appVersion: app.getVersion(),
      serverUrl: config.serverUrl,
      tokens,
      setLanguage: setShellLanguage,
      // Deep links, pop-out windows, spellcheck and updates.
      windows: {
        takeDeepLink: wiring.takeDeepLink,
        popOut: wiring.popOut,
        spellcheck: wiring.spellcheck,
        updates: {
          status: updateStatus,
          check: () => updates.check(),
          install: () => updates.installNow(),
          setChannel: async (next) => {
            await writeUpdateChannel(updateSettingsPath, next);
            updates.setChannel(next);
          },
        },
      },
      // Notifications, the badge and tray, presence from the operating system.
      shell: shellHandlers,
    }),
  );

  appProtocol.start();
  await tokens.start();
  ipc.start();
  updates.start();
  if (!tokens.isSecure()) {
    console.warn(
      plaintextConsent.answer === 'allowed'
        ? "No OS keychain available: session tokens are kept with Chromium's basic_text storage, as the user agreed."
        : 'No OS keychain available: session tokens are kept for this run only unless the user agrees otherwise.',
    );
  }

  return { appProtocol, tokens, ipc, updates };
}

function readConfigFile(filePath: string): string | undefined {
  try {
    return fs.readFileSync(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new Error(`Cannot read ${filePath}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The tray's icon: a small PNG beside the app's resources when installed, build/ when run
 * from the repository. macOS takes the black-and-alpha template image and tints it.
 */
function trayIconPath(): string {
  const file = process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png';
  return app.isPackaged ? path.join(process.resourcesPath, file) : path.join(app.getAppPath(), 'build', file);
}

function main(): void {
  // A second copy would fight the first over the token file and the tray.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  let config: ShellConfig;
  try {
    // PARLEY_SERVER_URL, else the parley.json an installer or the user placed.
    config = loadConfig(process.env, {
      files: configFileCandidates({
        platform: process.platform,
        userDataDir: app.getPath('userData'),
        executablePath: app.getPath('exe'),
        env: process.env,
      }),
      readFile: readConfigFile,
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    app.exit(1);
    return;
  }

  // Both must happen before `ready`, so they run synchronously at module evaluation: in an
  // ESM entry point anything after an `await` may run after `ready` has fired.
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);

  const preloadPath = path.join(app.getAppPath(), 'preload', 'dist', 'preload.cjs');
  let mainWindow: BrowserWindow | null = null;
  let services: Services | null = null;

  // The shell's small files in userData.
  const files: JsonFiles = {
    readFileSync: (file, encoding) => fs.readFileSync(file, encoding),
    writeFileSync: (file, text) => fs.writeFileSync(file, text),
    renameSync: (from, to) => fs.renameSync(from, to),
  };

  // Size, position and maximized state, as the agent left them, on a screen that exists.
  const windowState = new WindowStateStore(path.join(app.getPath('userData'), 'window-state.json'), files, warn);

  const withContextMenu = (window: BrowserWindow): void => attachContextMenu(window, () => shellWords(shellLanguage));

  // Conversations in windows of their own: one each, at the size the last one was left at.
  const popOuts = new PopOutWindows<BrowserWindow>({
    create: (conversationId, bounds) => {
      const window = createPopOutWindow({
        preloadPath,
        url: popOutUrl(APP_ENTRY_URL, conversationId),
        appOrigin: APP_ORIGIN,
        bounds,
      });
      withContextMenu(window);
      return window;
    },
    sizes: new PopOutSizeStore(path.join(app.getPath('userData'), 'popout-window.json'), files, warn),
    screens: () => ({
      workAreas: screen.getAllDisplays().map((display) => display.workArea),
      primary: screen.getPrimaryDisplay().workArea,
    }),
    anchor: () => (BrowserWindow.getFocusedWindow() ?? mainWindow)?.getBounds() ?? null,
  });

  // Notifications, the unread badge, the tray and presence from the operating system. The
  // shell's settings (close to the tray, idle minutes) are read before the page is there.
  const shellPreferences = new ShellPreferencesStore(
    path.join(app.getPath('userData'), 'shell-settings.json'),
    files,
    process.platform,
    warn,
  );
  shellPreferences.load();
  let desktopPresence: DesktopPresenceShell | null = null;

  const openMainWindow = (): void => {
    if (mainWindow !== null && !mainWindow.isDestroyed()) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      // Hidden in the tray, it comes back.
      if (!mainWindow.isVisible()) mainWindow.show();
      mainWindow.focus();
      return;
    }
    mainWindow = createMainWindow({ preloadPath, entryUrl: APP_ENTRY_URL, appOrigin: APP_ORIGIN });
    withContextMenu(mainWindow);
    // A reload drops the page's listeners: links wait until the new page takes them.
    mainWindow.webContents.on('did-start-loading', () => deepLinks.detach());
    const placement = placeWindow(
      windowState.load(),
      screen.getAllDisplays().map((display) => display.workArea),
      screen.getPrimaryDisplay().workArea,
    );
    mainWindow.setBounds(placement.bounds);
    if (placement.maximized) mainWindow.once('ready-to-show', () => mainWindow?.maximize());
    windowState.track(mainWindow);
    desktopPresence?.track(mainWindow);
    mainWindow.on('closed', () => {
      mainWindow = null;
      deepLinks.detach();
    });
  };

  // parley:// links. They arrive in the launch argv and a second instance's argv on Windows
  // and Linux, and as `open-url` on macOS (which may fire before `ready`). Each brings the
  // main window forward; its page takes the one that came before it listened
  // (`deepLink:take`) and hears the later ones as `conversation:open`.
  const deepLinks = new DeepLinkInbox(() => {
    if (services !== null) openMainWindow();
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    deepLinks.receiveUrl(url);
  });
  deepLinks.receiveArgv(process.argv);
  const [scheme, electronPath, electronArgs] = protocolClientArgs({
    defaultApp: process.defaultApp === true,
    execPath: process.execPath,
    argv: process.argv,
    resolve: (file) => path.resolve(file),
  });
  if (electronPath === undefined) app.setAsDefaultProtocolClient(scheme);
  else app.setAsDefaultProtocolClient(scheme, electronPath, electronArgs);

  // The menu's own items press the page's shortcut keys, which the page already handles.
  const sendMenuCommand = (command: MenuCommand): void => {
    // The palette, the settings and the shortcuts live in the main window: bring it forward
    // (from the tray, or from behind a pop-out) so what the command opens is seen.
    if (services !== null) openMainWindow();
    if (mainWindow === null || mainWindow.isDestroyed()) return;
    const key = commandKeyPress(command, process.platform);
    mainWindow.webContents.sendInputEvent({ type: 'keyDown', ...key });
    mainWindow.webContents.sendInputEvent({ type: 'keyUp', ...key });
  };

  // Before the services are up there is nothing to show; the ready handler opens the window.
  app.on('second-instance', (_event, argv) => {
    deepLinks.receiveArgv(argv);
    if (services !== null) openMainWindow();
  });

  app.on('window-all-closed', () => {
    // macOS apps stay in the dock with no window open.
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (services !== null) openMainWindow();
  });

  let disposing = false;
  app.on('will-quit', (event) => {
    if (services === null || disposing) return;
    // Hold the quit until the last token write is on disk.
    event.preventDefault();
    disposing = true;
    const running = services;
    services = null;
    running.updates.dispose();
    desktopPresence?.dispose();
    running.ipc.dispose();
    running.appProtocol.dispose();
    void running.tokens.dispose().finally(() => app.quit());
  });

  app
    .whenReady()
    .then(async () => {
      applyPermissionPolicy(session.defaultSession, APP_ORIGIN);
      shellLanguage = pickShellLanguage(app.getPreferredSystemLanguages());
      const setMenu = (): void =>
        Menu.setApplicationMenu(
          Menu.buildFromTemplate(
            buildMenuTemplate({
              platform: process.platform,
              appName: app.name,
              labels: menuLabels(shellWords(shellLanguage)),
              developer: !app.isPackaged,
              onCommand: sendMenuCommand,
            }),
          ),
        );
      setMenu();
      languageListeners.add(setMenu);
      // Windows shows a notification only for the app id its Start menu shortcut carries.
      if (process.platform === 'win32') app.setAppUserModelId('app.parley.desktop');
      desktopPresence = new DesktopPresenceShell({
        app,
        platform: process.platform,
        appOrigin: APP_ORIGIN,
        Notification,
        Tray,
        Menu,
        nativeImage,
        powerMonitor,
        trayIconPath: trayIconPath(),
        trayHost: { desktop: process.env['XDG_CURRENT_DESKTOP'], watcher: () => askStatusNotifierWatcher() },
        preferences: shellPreferences,
        words: () => shellWords(shellLanguage),
        mainWindow: () => (mainWindow === null || mainWindow.isDestroyed() ? null : mainWindow),
        bringForward: () => {
          openMainWindow();
          return mainWindow;
        },
        openConversation: (conversationId) => void deepLinks.open(conversationId),
        log: warn,
      });
      desktopPresence.start();
      // Installing an update closes the windows before \`before-quit\`: they must not hide.
      // electron-updater announces it on Electron's own autoUpdater.
      nativeAutoUpdater.on('before-quit-for-update', () => desktopPresence?.prepareToQuit());
      const shellNow = desktopPresence;
      languageListeners.add(() => shellNow.refreshTray());
      services = await startServices(
        config,
        {
          takeDeepLink: () => {
            const link = deepLinks.take((next) =>
              mainWindow === null || mainWindow.isDestroyed()
                ? false
                : sendDesktopEvent(mainWindow.webContents, APP_ORIGIN, 'conversation:open', {
                    conversationId: next.id,
                  }),
            );
            return link === null ? null : { conversationId: link.id };
          },
          popOut: (conversationId) => void popOuts.open(conversationId),
          // The agent's spelling languages, set again from userData before the page asks.
          spellcheck: spellcheckControl(
            process.platform,
            session.defaultSession,
            spellcheckFile(path.join(app.getPath('userData'), 'spellcheck.json'), files, warn),
          ),
          pages: () =>
            [...(mainWindow === null || mainWindow.isDestroyed() ? [] : [mainWindow]), ...popOuts.all()].map(
              (window) => window.webContents,
            ),
        },
        shellNow.handlers(),
      );
      openMainWindow();
    })
    .catch((error: unknown) => {
      console.error('Parley failed to start', error);
      app.exit(1);
    });
}

main();
