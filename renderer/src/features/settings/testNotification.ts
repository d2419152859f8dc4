import type { NotificationTestOutcome } from '@parley/protocol';
import type { MessageKey } from '../../common/i18n/index.js';

/**
 * What to tell the agent after a test notification: that it went out, or what the system
 * (or the browser) is blocking and where to allow it, by platform: `darwin`, `win32`,
 * `linux` inside the desktop app, `web` in a browser.
 */
export function testNotificationAdvice(outcome: NotificationTestOutcome, platform: string): MessageKey {
  switch (outcome) {
    case 'shown':
      return 'settings.desktop.test.shown';
    case 'denied':
      return 'settings.desktop.test.denied';
    case 'default':
      return 'settings.desktop.test.default';
    case 'unsupported':
      if (platform === 'web') return 'settings.desktop.test.unsupported.web';
      return platform === 'linux' ? 'settings.desktop.test.unsupported.linux' : 'settings.desktop.test.unsupported';
    case 'failed':
      return platform === 'win32' ? 'settings.desktop.test.failed.windows' : 'settings.desktop.test.failed';
    case 'noShow':
      if (platform === 'darwin') return 'settings.desktop.test.noShow.mac';
      return platform === 'win32' ? 'settings.desktop.test.failed.windows' : 'settings.desktop.test.noShow';
  }
}
