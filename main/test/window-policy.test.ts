import { describe, expect, it, vi } from 'vitest';
import { APP_ORIGIN } from '../src/app-origin.js';
import {
  guardNavigation,
  guardWindowOpen,
  navigationDecision,
  permissionDecision,
  secureWebPreferences,
} from '../src/window-policy.js';

describe('navigationDecision', () => {
  it.each(['app://parley/index.html', 'app://parley/conversations/42', 'app://parley/'])(
    'allows our own page %s',
    (url) => {
      expect(navigationDecision(url, APP_ORIGIN)).toBe('allow');
    },
  );

  it.each(['https://example.com/help', 'http://example.com/', 'mailto:customer@example.com'])(
    'sends %s to the operating system',
    (url) => {
      expect(navigationDecision(url, APP_ORIGIN)).toBe('external');
    },
  );

  it.each([
    'javascript:alert(1)',
    'file:///etc/passwd',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox',
    'ms-msdt:/id PCWDiagnostic',
    'smb://server/share',
    'app://evil/index.html',
    'app://parley.evil.example/index.html',
    'https://bank.example@evil.example/',
    'not a url',
    '',
  ])('denies %s', (url) => {
    expect(navigationDecision(url, APP_ORIGIN)).toBe('deny');
  });
});

describe('secureWebPreferences', () => {
  const preferences = secureWebPreferences('/app/preload/dist/preload.cjs');

  it('isolates and sandboxes the page with no Node', () => {
    expect(preferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('loads the bundled preload', () => {
    expect(preferences.preload).toBe('/app/preload/dist/preload.cjs');
  });
});

describe('guardNavigation', () => {
  function navigate(url: string): { prevented: boolean; opened: string[] } {
    const opened: string[] = [];
    const event = { url, preventDefault: vi.fn() };
    guardNavigation(APP_ORIGIN, (target) => opened.push(target))(event);
    return { prevented: event.preventDefault.mock.calls.length > 0, opened };
  }

  it('lets the app move between its own routes', () => {
    expect(navigate('app://parley/inbox')).toEqual({ prevented: false, opened: [] });
  });

  it('keeps the app and opens a web link in the browser', () => {
    expect(navigate('https://example.com/')).toEqual({
      prevented: true,
      opened: ['https://example.com/'],
    });
  });

  it('refuses file: without opening anything', () => {
    expect(navigate('file:///etc/passwd')).toEqual({ prevented: true, opened: [] });
  });
});

describe('guardWindowOpen', () => {
  it('never opens a window, but hands web and mail links to the system', () => {
    const opened: string[] = [];
    const handler = guardWindowOpen(APP_ORIGIN, (url) => opened.push(url));
    expect(handler({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'mailto:a@example.com' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'app://parley/index.html' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.com/', 'mailto:a@example.com']);
  });
});

describe('permissionDecision', () => {
  it('grants notifications to our pages', () => {
    expect(permissionDecision('notifications', 'app://parley/index.html', APP_ORIGIN)).toBe(true);
    expect(permissionDecision('notifications', 'app://parley', APP_ORIGIN)).toBe(true);
  });

  it.each(['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen'])('denies %s', (permission) => {
    expect(permissionDecision(permission, 'app://parley/index.html', APP_ORIGIN)).toBe(false);
  });

  it('denies notifications to another origin', () => {
    expect(permissionDecision('notifications', 'https://evil.example/', APP_ORIGIN)).toBe(false);
  });
});
