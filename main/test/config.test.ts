import { describe, expect, it } from 'vitest';
import { configFileCandidates, loadConfig, parseServerUrl } from '../src/config.js';

describe('loadConfig', () => {
  it('defaults to the local server', () => {
    expect(loadConfig({})).toEqual({
      serverUrl: 'http://127.0.0.1:8080',
      serverOrigin: 'http://127.0.0.1:8080',
    });
  });

  it('reads PARLEY_SERVER_URL', () => {
    expect(loadConfig({ PARLEY_SERVER_URL: 'https://parley.example.com/' })).toEqual({
      serverUrl: 'https://parley.example.com',
      serverOrigin: 'https://parley.example.com',
    });
  });

  it('keeps a path prefix in the URL but not in the origin', () => {
    expect(parseServerUrl('https://example.com/parley/')).toEqual({
      serverUrl: 'https://example.com/parley',
      serverOrigin: 'https://example.com',
    });
  });

  it.each([
    ['file:///etc/passwd', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['ws://example.com', /http or https/],
    ['not a url', /not a URL/],
    ['https://user:secret@example.com', /credentials/],
    ['https://example.com/?token=1', /query/],
  ])('refuses %s', (raw, message) => {
    expect(() => parseServerUrl(raw)).toThrow(message);
  });
});

describe('parley.json', () => {
  const files = ['/home/ada/.config/Parley/parley.json', '/etc/parley/parley.json', '/opt/Parley/parley.json'];
  const reader =
    (contents: Record<string, string>) =>
    (filePath: string): string | undefined =>
      contents[filePath];

  it('reads the server URL an installer placed beside the executable', () => {
    const config = loadConfig(
      {},
      { files, readFile: reader({ '/opt/Parley/parley.json': '{"serverUrl":"https://team.example.com/"}' }) },
    );
    expect(config.serverUrl).toBe('https://team.example.com');
  });

  it("prefers the user's file to the machine's, and the machine's to the install folder's", () => {
    const contents = {
      '/home/ada/.config/Parley/parley.json': '{"serverUrl":"https://mine.example.com"}',
      '/etc/parley/parley.json': '{"serverUrl":"https://machine.example.com"}',
      '/opt/Parley/parley.json': '{"serverUrl":"https://install.example.com"}',
    };
    expect(loadConfig({}, { files, readFile: reader(contents) }).serverUrl).toBe('https://mine.example.com');
    const { ['/home/ada/.config/Parley/parley.json']: _mine, ...machine } = contents;
    expect(loadConfig({}, { files, readFile: reader(machine) }).serverUrl).toBe('https://machine.example.com');
  });

  it('lets PARLEY_SERVER_URL win over every file', () => {
    const config = loadConfig(
      { PARLEY_SERVER_URL: 'https://env.example.com' },
      { files, readFile: reader({ '/etc/parley/parley.json': '{"serverUrl":"https://machine.example.com"}' }) },
    );
    expect(config.serverUrl).toBe('https://env.example.com');
  });

  it("takes the team's update feed from the file, even when PARLEY_SERVER_URL names the server", () => {
    const contents = {
      '/etc/parley/parley.json':
        '{"serverUrl":"https://machine.example.com","updateUrl":"https://updates.example.com/parley"}',
    };
    expect(loadConfig({}, { files, readFile: reader(contents) })).toEqual({
      serverUrl: 'https://machine.example.com',
      serverOrigin: 'https://machine.example.com',
      updateUrl: 'https://updates.example.com/parley',
    });
    expect(loadConfig({ PARLEY_SERVER_URL: 'https://env.example.com' }, { files, readFile: reader(contents) })).toEqual(
      {
        serverUrl: 'https://env.example.com',
        serverOrigin: 'https://env.example.com',
        updateUrl: 'https://updates.example.com/parley',
      },
    );
  });

  it('falls back to the local server when no file exists', () => {
    expect(loadConfig({}, { files, readFile: reader({}) }).serverUrl).toBe('http://127.0.0.1:8080');
  });

  it.each([
    ['not json', /not valid JSON/],
    ['{"serverURL":"https://typo.example.com"}', /not a valid Parley configuration/],
    ['{"serverUrl":42}', /serverUrl/],
    ['{"serverUrl":"file:///etc/passwd"}', /serverUrl in \/etc\/parley\/parley.json must be http or https/],
  ])('refuses a bad file (%s), naming it', (text, message) => {
    expect(() => loadConfig({}, { files, readFile: reader({ '/etc/parley/parley.json': text }) })).toThrow(message);
  });

  it('looks in userData, the machine-wide folder and beside the executable, per OS', () => {
    expect(
      configFileCandidates({
        platform: 'win32',
        userDataDir: 'C:\\Users\\ada\\AppData\\Roaming\\Parley',
        executablePath: 'C:\\Program Files\\Parley\\Parley.exe',
        env: { ProgramData: 'D:\\ProgramData' },
      }),
    ).toEqual([
      'C:\\Users\\ada\\AppData\\Roaming\\Parley\\parley.json',
      'D:\\ProgramData\\Parley\\parley.json',
      'C:\\Program Files\\Parley\\parley.json',
    ]);
    expect(
      configFileCandidates({
        platform: 'darwin',
        userDataDir: '/Users/ada/Library/Application Support/Parley',
        executablePath: '/Applications/Parley.app/Contents/MacOS/Parley',
        env: {},
      }).slice(1),
    ).toEqual([
      '/Library/Application Support/Parley/parley.json',
      '/Applications/Parley.app/Contents/MacOS/parley.json',
    ]);
    expect(
      configFileCandidates({
        platform: 'linux',
        userDataDir: '/home/ada/.config/Parley',
        executablePath: '/opt/Parley/parley',
        env: {},
      }),
    ).toEqual(['/home/ada/.config/Parley/parley.json', '/etc/parley/parley.json', '/opt/Parley/parley.json']);
  });
});
