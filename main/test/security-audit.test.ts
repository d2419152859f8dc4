import { contentSecurityPolicy } from '@parley/protocol';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import {
  auditContentSecurityPolicy,
  auditElectronFuses,
  auditPassed,
  auditWebPreferences,
  formatAudit,
} from '../src/security-audit.js';
import { runDesktopAudit } from '../src/security-audit-run.js';
import { secureWebPreferences } from '../src/window-policy.js';
import { mainWindowOptions, popOutWindowOptions } from '../src/window.js';

vi.mock('electron', () => import('../src/security-audit-electron.js'));

const failed = (checks: ReturnType<typeof auditWebPreferences>): string[] =>
  checks.filter((item) => !item.ok).map((item) => item.name);

const FUSES_YAML = `
appId: app.parley.desktop
electronFuses:
  runAsNode: false
  enableCookieEncryption: true
  enableNodeOptionsEnvironmentVariable: false
  enableNodeCliInspectArguments: false
  enableEmbeddedAsarIntegrityValidation: true
  onlyLoadAppFromAsar: true
`;

describe('the app as it is built', () => {
  it('passes every check but the fuses, which come from electron-builder.yml', async () => {
    const checks = await runDesktopAudit(null);
    expect(checks.filter((item) => !item.ok)).toEqual([]);
    expect(checks.map((item) => item.name)).toEqual(
      expect.arrayContaining([
        'main window: sandbox is true',
        'main window: window.open is denied',
        'pop-out window: sandbox is true',
        'pop-out window: contextIsolation is true',
        'pop-out window: window.open is denied',
        'pop-out window: will-navigate keeps the page on the app origin',
        'ipc: window:popOut checks the sender frame and validates its arguments',
        'permissions: every request but notifications is denied',
        "CSP: no 'unsafe-eval'",
        'ipc: session:setToken checks the sender frame and validates its arguments',
      ]),
    );
  });

  it('audits the options the window factory really gives BrowserWindow', () => {
    const options = mainWindowOptions('/x/preload.cjs');
    expect(options.webPreferences).toEqual(secureWebPreferences('/x/preload.cjs'));
    expect(auditPassed(auditWebPreferences('main window', options.webPreferences))).toBe(true);
  });

  it('gives a pop-out window the very preferences of the main window', () => {
    const options = popOutWindowOptions('/x/preload.cjs', { x: 0, y: 0, width: 500, height: 600 });
    expect(options.webPreferences).toEqual(mainWindowOptions('/x/preload.cjs').webPreferences);
    expect(auditPassed(auditWebPreferences('pop-out window', options.webPreferences))).toBe(true);
  });

  it('with fuses configured as required, the whole audit passes', async () => {
    const checks = await runDesktopAudit(parse(FUSES_YAML));
    expect(auditPassed(checks)).toBe(true);
    expect(formatAudit(checks)).toMatch(/checks passed$/);
  });
});

describe('webPreferences', () => {
  it('fails each weakened preference', () => {
    const weak = { ...secureWebPreferences('/p'), sandbox: false, webSecurity: false, webviewTag: true };
    expect(failed(auditWebPreferences('w', weak))).toEqual([
      'w: sandbox is true',
      'w: webSecurity is not disabled',
      'w: no webviewTag',
    ]);
    expect(failed(auditWebPreferences('w', { ...secureWebPreferences('/p'), nodeIntegration: true }))).toEqual([
      'w: nodeIntegration is false',
    ]);
  });

  it('fails when the preferences are left to defaults', () => {
    expect(failed(auditWebPreferences('w', undefined))).toEqual([
      'w: contextIsolation is true',
      'w: sandbox is true',
      'w: nodeIntegration is false',
    ]);
  });
});

describe('Content-Security-Policy', () => {
  it("accepts the app's policy whatever the server origin", () => {
    expect(auditPassed(auditContentSecurityPolicy(contentSecurityPolicy(['https://chat.example.com'])))).toBe(true);
  });

  it.each([
    ["default-src 'none'; script-src 'self' 'unsafe-eval'; object-src 'none'", "CSP: no 'unsafe-eval'"],
    ["default-src 'none'; script-src 'self' https://cdn.example; object-src 'none'", 'CSP: script-src'],
    ["default-src 'none'; script-src 'self' 'unsafe-inline'; object-src 'none'", 'CSP: script-src'],
    ["default-src 'none'; script-src *; object-src 'none'", 'CSP: script-src'],
    ["default-src 'self' https:; object-src 'none'", 'CSP: script-src'],
    ["script-src 'self'; worker-src blob:; object-src 'none'", 'CSP: worker-src'],
    ["script-src 'self'", "CSP: object-src is 'none'"],
  ])('fails %s', (csp, name) => {
    const bad = auditContentSecurityPolicy(csp).filter((item) => !item.ok);
    expect(bad.map((item) => item.name).join('|')).toContain(name);
  });
});

describe('electron fuses', () => {
  it('passes the required fuses', () => {
    expect(auditPassed(auditElectronFuses(parse(FUSES_YAML)))).toBe(true);
  });

  it('fails a missing section, a missing fuse and a wrong value', () => {
    expect(failed(auditElectronFuses(parse('appId: x\n')))).toEqual(['fuses: electronFuses is configured']);
    const wrong = FUSES_YAML.replace('runAsNode: false', 'runAsNode: true').replace(
      '  onlyLoadAppFromAsar: true\n',
      '',
    );
    expect(failed(auditElectronFuses(parse(wrong)))).toEqual([
      'fuses: runAsNode is false',
      'fuses: onlyLoadAppFromAsar is true',
    ]);
    // A string is not a boolean: electron-builder would not read "false" as false.
    expect(failed(auditElectronFuses(parse(FUSES_YAML.replace('runAsNode: false', 'runAsNode: "false"'))))).toEqual([
      'fuses: runAsNode is false',
    ]);
    expect(failed(auditElectronFuses('not a mapping'))).toHaveLength(1);
  });
});
