/**
 * Runs the security audit against the app's own code: the real window factory, permission
 * policy, CSP, protocol handler and IPC registration. `electron` must resolve to
 * `security-audit-electron.ts` when this runs (the audit script's loader hook, vitest's mock).
 */
import { contentSecurityPolicy, desktopChannels, type DesktopChannel } from '@parley/protocol';
import { APP_ENTRY_URL, APP_ORIGIN } from './app-origin.js';
import { serveAppRequest } from './app-protocol.js';
import { DesktopIpc, IpcArgumentError, IpcSenderError, type InvokeEvent, type InvokeListener } from './ipc.js';
import type { DesktopHandlers } from './ipc.js';
import {
  auditContentSecurityPolicy,
  auditElectronFuses,
  auditWebPreferences,
  type AuditCheck,
} from './security-audit.js';
import { BrowserWindow as RecordingWindow, RecordingSession, shell } from './security-audit-electron.js';
import { popOutUrl } from './popout-windows.js';
import { applyPermissionPolicy, createMainWindow, createPopOutWindow } from './window.js';
import type { Session } from 'electron';

const REMOTE = 'https://remote.example';

function check(name: string, ok: boolean, detail: string): AuditCheck {
  return { name, ok, detail };
}

const PRELOAD = '/app/preload/dist/preload.cjs';

/** Every kind of window the app opens, each made by its real factory. */
const WINDOW_FACTORIES: ReadonlyArray<{ label: string; create: () => void }> = [
  {
    label: 'main window',
    create: () => createMainWindow({ preloadPath: PRELOAD, entryUrl: APP_ENTRY_URL, appOrigin: APP_ORIGIN }),
  },
  {
    label: 'pop-out window',
    create: () =>
      createPopOutWindow({
        preloadPath: PRELOAD,
        url: popOutUrl(APP_ENTRY_URL, 'c1'),
        appOrigin: APP_ORIGIN,
        bounds: { x: 40, y: 40, width: 560, height: 760 },
      }),
  },
];

function auditWindow(label: string, create: () => void): AuditCheck[] {
  const before = RecordingWindow.created.length;
  create();
  const window = RecordingWindow.created[before];
  if (window === undefined) {
    return [check(`${label}: created through the recording stand-in`, false, '`electron` is not the stand-in')];
  }
  const checks = auditWebPreferences(label, window.options.webPreferences);
  const contents = window.webContents;

  const navigate = contents.listeners.get('will-navigate') ?? [];
  const outcome = (url: string): 'prevented' | 'allowed' => {
    let prevented = false;
    for (const listener of navigate) listener({ url, preventDefault: () => (prevented = true) });
    return prevented ? 'prevented' : 'allowed';
  };
  const shellBefore = shell.opened.length;
  const away = ['https://evil.example/', 'javascript:alert(1)', 'file:///etc/passwd'].map(outcome);
  checks.push(
    check(
      `${label}: will-navigate keeps the page on the app origin`,
      navigate.length > 0 && away.every((o) => o === 'prevented') && outcome(`${APP_ORIGIN}/inbox`) === 'allowed',
      navigate.length === 0 ? 'no will-navigate guard' : `away: ${away.join(', ')}`,
    ),
  );
  const handler = contents.windowOpenHandler;
  const opened =
    handler === null
      ? []
      : [`${APP_ORIGIN}/x`, 'https://evil.example/', 'file:///'].map(
          (url) => (handler({ url }) as { action?: string } | undefined)?.action,
        );
  checks.push(
    check(
      `${label}: window.open is denied`,
      handler !== null && opened.every((action) => action === 'deny'),
      handler === null ? 'no window open handler' : opened.join(', '),
    ),
  );
  checks.push(
    check(
      `${label}: only web links go to the system browser`,
      shell.opened.slice(shellBefore).every((url) => url.startsWith('https://')),
      shell.opened.slice(shellBefore).join(', ') || 'none',
    ),
  );
  let webviewPrevented = false;
  for (const listener of contents.listeners.get('will-attach-webview') ?? []) {
    listener({ preventDefault: () => (webviewPrevented = true) });
  }
  checks.push(check(`${label}: attaching a <webview> is prevented`, webviewPrevented, String(webviewPrevented)));
  return checks;
}

function auditPermissions(): AuditCheck[] {
  const session = new RecordingSession();
  applyPermissionPolicy(session as unknown as Session, APP_ORIGIN);
  const request = session.requestHandler;
  const probe = (permission: string, url: string): boolean | undefined => {
    let answer: boolean | undefined;
    request?.(null, permission, (granted: boolean) => (answer = granted), { requestingUrl: url });
    return answer;
  };
  const refused = ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'pointerLock'];
  const granted = refused.filter((permission) => probe(permission, `${APP_ORIGIN}/`) !== false);
  if (probe('notifications', 'https://evil.example/') !== false) granted.push('notifications from another origin');
  const checkGranted = refused.filter((permission) => session.checkHandler?.(null, permission, APP_ORIGIN) !== false);
  return [
    check(
      'permissions: every request but notifications is denied',
      request !== null && granted.length === 0,
      request === null ? 'no request handler' : granted.join(', ') || 'all denied',
    ),
    check(
      'permissions: notifications from the app are allowed',
      probe('notifications', `${APP_ORIGIN}/`) === true,
      String(probe('notifications', `${APP_ORIGIN}/`)),
    ),
    check(
      'permissions: permission checks are denied too',
      session.checkHandler !== null && checkGranted.length === 0,
      session.checkHandler === null ? 'no check handler' : checkGranted.join(', ') || 'all denied',
    ),
  ];
}

async function auditCspServed(): Promise<AuditCheck[]> {
  const policy = contentSecurityPolicy([REMOTE]);
  const response = await serveAppRequest(
    { url: `${APP_ORIGIN}/index.html`, method: 'GET' },
    { rootDir: '/app/renderer/dist', contentSecurityPolicy: policy, readFile: () => Promise.resolve(new Uint8Array()) },
  );
  const served = response.headers.get('Content-Security-Policy');
  return [
    check('CSP: the app protocol serves the policy', served === policy, served ?? 'no header'),
    ...auditContentSecurityPolicy(served ?? ''),
  ];
}

/** Registers the real `DesktopIpc` on a recording ipcMain and calls every channel as an attacker would. */
async function auditIpc(): Promise<AuditCheck[]> {
  const listeners = new Map<string, InvokeListener>();
  const called: string[] = [];
  const handlers = Object.fromEntries(
    (Object.keys(desktopChannels) as DesktopChannel[]).map((channel) => [channel, () => void called.push(channel)]),
  ) as unknown as DesktopHandlers;
  const ipc = new DesktopIpc(
    {
      handle: (channel, listener) => void listeners.set(channel, listener),
      removeHandler: (c) => void listeners.delete(c),
    },
    APP_ORIGIN,
    handlers,
  );
  ipc.start();
  const channels = Object.keys(desktopChannels);
  const checks = [
    check(
      'ipc: every desktop channel is registered, and nothing else',
      channels.length === listeners.size && channels.every((channel) => listeners.has(channel)),
      [...listeners.keys()].join(', '),
    ),
  ];
  const event = (url: string | null): InvokeEvent => ({ senderFrame: url === null ? null : { url } }) as InvokeEvent;
  for (const channel of channels) {
    const listener = listeners.get(channel);
    if (listener === undefined) continue;
    const foreign = await listener(event('https://evil.example/'), ...validArgs(channel)).then(
      () => 'accepted',
      (error: unknown) => (error instanceof IpcSenderError ? 'refused' : 'failed otherwise'),
    );
    const gone = await listener(event(null)).then(
      () => 'accepted',
      (error: unknown) => (error instanceof IpcSenderError ? 'refused' : 'failed otherwise'),
    );
    const malformed = await listener(event(`${APP_ORIGIN}/`), 42, { toString: null }, 'extra').then(
      () => 'accepted',
      (error: unknown) => (error instanceof IpcArgumentError ? 'refused' : 'failed otherwise'),
    );
    checks.push(
      check(
        `ipc: ${channel} checks the sender frame and validates its arguments`,
        foreign === 'refused' && gone === 'refused' && malformed === 'refused' && !called.includes(channel),
        `other origin ${foreign}, no frame ${gone}, bad arguments ${malformed}`,
      ),
    );
  }
  ipc.dispose();
  return checks;
}

/** Arguments the channel would accept, so a refusal can only come from the sender check. */
function validArgs(channel: string): unknown[] {
  const schema = desktopChannels[channel as DesktopChannel];
  const candidates: unknown[][] = [[], ['https://parley.example'], ['https://parley.example', 'token']];
  return candidates.find((args) => schema.safeParse(args).success) ?? [];
}

/**
 * Every check. `builderConfig` is electron-builder.yml parsed; null leaves the fuses out
 * (the caller reports them separately).
 */
export async function runDesktopAudit(builderConfig: unknown): Promise<AuditCheck[]> {
  const windows = WINDOW_FACTORIES.flatMap(({ label, create }) => auditWindow(label, create));
  const checks = [...windows, ...auditPermissions(), ...(await auditCspServed()), ...(await auditIpc())];
  if (builderConfig !== null) checks.push(...auditElectronFuses(builderConfig));
  return checks;
}
