import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeepLinkInbox, deepLinkFromArgv, parseDeepLink, protocolClientArgs, type DeepLink } from '../src/deep-link.js';

const id = '0193b7a4-5c2e-7f00-8a1b-2c3d4e5f6a7b';

describe('parseDeepLink', () => {
  it.each([
    [`parley://conversation/${id}`, id],
    [`parley://conversation/${id}/`, id],
    ['PARLEY://conversation/abc_123', 'abc_123'],
  ])('reads %s', (raw, expected) => {
    expect(parseDeepLink(raw)).toEqual({ kind: 'conversation', id: expected });
  });

  it.each([
    'https://conversation/abc',
    'parley:conversation/abc',
    'parley://conversation',
    'parley://conversation/',
    'parley://conversation/a/b',
    'parley://conversation/../settings',
    'parley://conversation/%2e%2e',
    'parley://conversation/a%2Fb',
    'parley://conversation/abc?x=1',
    'parley://conversation/abc#top',
    'parley://user:pw@conversation/abc',
    'parley://conversation:8080/abc',
    'parley://contact/abc',
    'parley://Conversation/abc',
    'parley:///conversation/abc',
    ' parley://conversation/abc',
    'parley://conversation/-abc',
    'parley://conversation/<script>',
    `parley://conversation/${'a'.repeat(129)}`,
    `parley://conversation/a${'/'.repeat(600)}`,
    'not a url',
    '',
  ])('refuses %s', (raw) => {
    expect(parseDeepLink(raw)).toBeNull();
  });

  it('refuses what is not a string', () => {
    expect(parseDeepLink(undefined)).toBeNull();
    expect(parseDeepLink({ href: `parley://conversation/${id}` })).toBeNull();
  });
});

describe('deepLinkFromArgv', () => {
  it("finds the link in a second instance's command line", () => {
    const argv = [
      'C:\\Program Files\\Parley\\Parley.exe',
      '--allow-file-access-from-files',
      `parley://conversation/${id}`,
    ];
    expect(deepLinkFromArgv(argv)).toEqual({ kind: 'conversation', id });
  });

  it('ignores switches and paths that merely contain a link', () => {
    expect(deepLinkFromArgv(['/opt/Parley/parley', `--url=parley://conversation/${id}`])).toBeNull();
    expect(deepLinkFromArgv(['/opt/Parley/parley'])).toBeNull();
    expect(deepLinkFromArgv(['/opt/Parley/parley', 'parley://settings'])).toBeNull();
  });
});

describe('protocolClientArgs', () => {
  it('registers the packaged app by itself', () => {
    expect(
      protocolClientArgs({
        defaultApp: false,
        execPath: '/opt/Parley/parley',
        argv: ['/opt/Parley/parley'],
        resolve: (file) => path.resolve(file),
      }),
    ).toEqual(['parley']);
  });

  it('registers Electron with the app path in a development run', () => {
    expect(
      protocolClientArgs({
        defaultApp: true,
        execPath: '/repo/node_modules/electron/dist/electron',
        argv: ['/repo/node_modules/electron/dist/electron', 'main/dist/index.js'],
        resolve: (file) => `/repo/${file}`,
      }),
    ).toEqual(['parley', '/repo/node_modules/electron/dist/electron', ['/repo/main/dist/index.js']]);
  });
});

describe('DeepLinkInbox', () => {
  it('keeps the last valid link and shows the app for each', () => {
    const shown: DeepLink[] = [];
    const inbox = new DeepLinkInbox((link) => shown.push(link));
    expect(inbox.last()).toBeNull();
    inbox.receiveArgv(['/opt/Parley/parley', 'parley://conversation/first']);
    inbox.receiveUrl('parley://conversation/second');
    inbox.receiveUrl('parley://conversation/bad?x');
    inbox.receiveArgv(['/opt/Parley/parley']);
    expect(inbox.last()).toEqual({ kind: 'conversation', id: 'second' });
    expect(shown.map((link) => link.id)).toEqual(['first', 'second']);
  });
});

describe('handing links to the page', () => {
  const link = (id: string): DeepLink => ({ kind: 'conversation', id });

  it('keeps a link that arrives before the page listens, and hands it over once', () => {
    const inbox = new DeepLinkInbox(() => undefined);
    inbox.receiveArgv(['/opt/Parley/parley', 'parley://conversation/at-launch']);
    const sent: DeepLink[] = [];
    expect(inbox.take((next) => sent.push(next) > 0)).toEqual(link('at-launch'));
    // Taken: a second call (another page, a double call) finds nothing waiting.
    expect(inbox.take((next) => sent.push(next) > 0)).toBeNull();
    expect(sent).toEqual([]);
  });

  it('sends the later links to the page as they come, never also keeping them', () => {
    const inbox = new DeepLinkInbox(() => undefined);
    const sent: DeepLink[] = [];
    expect(inbox.take((next) => sent.push(next) > 0)).toBeNull();
    inbox.receiveUrl('parley://conversation/one');
    inbox.receiveUrl('parley://conversation/two');
    expect(sent).toEqual([link('one'), link('two')]);
    expect(inbox.take(() => true)).toBeNull();
  });

  it("hands a notification's click over like a link: at once to a listening page, else to the next one", () => {
    const shown: DeepLink[] = [];
    const inbox = new DeepLinkInbox((next) => shown.push(next));
    const sent: DeepLink[] = [];
    inbox.take((next) => sent.push(next) > 0);
    expect(inbox.open('clicked')).toEqual(link('clicked'));
    expect(sent).toEqual([link('clicked')]);
    // The page reloads; a click then waits for the page that comes back.
    inbox.detach();
    inbox.open('while-reloading');
    expect(sent).toHaveLength(1);
    expect(inbox.take(() => true)).toEqual(link('while-reloading'));
    // Each brought the window forward; an id no conversation has is refused.
    expect(inbox.open('../settings')).toBeNull();
    expect(shown.map((next) => next.id)).toEqual(['clicked', 'while-reloading']);
  });

  it('keeps the newest link while the page is reloading or closed, for the next page', () => {
    const inbox = new DeepLinkInbox(() => undefined);
    const sent: DeepLink[] = [];
    inbox.take((next) => sent.push(next) > 0);
    inbox.detach();
    inbox.receiveUrl('parley://conversation/during-reload');
    inbox.receiveUrl('parley://conversation/newest');
    expect(sent).toEqual([]);
    expect(inbox.take(() => true)).toEqual(link('newest'));
  });

  it('keeps a link the page could not be sent (its window went away) and waits for a new page', () => {
    const inbox = new DeepLinkInbox(() => undefined);
    let attempts = 0;
    inbox.take(() => {
      attempts += 1;
      return false;
    });
    inbox.receiveUrl('parley://conversation/lost-window');
    inbox.receiveUrl('parley://conversation/later');
    // After the first failure it stops trying that page.
    expect(attempts).toBe(1);
    expect(inbox.take(() => true)).toEqual(link('later'));
  });

  it('never keeps or sends a refused link', () => {
    const inbox = new DeepLinkInbox(() => undefined);
    const sent: DeepLink[] = [];
    inbox.take((next) => sent.push(next) > 0);
    inbox.receiveUrl('parley://conversation/../../etc');
    inbox.receiveUrl('https://evil.example/conversation/x');
    expect(sent).toEqual([]);
    inbox.detach();
    expect(inbox.take(() => true)).toBeNull();
  });
});
