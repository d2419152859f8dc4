import { describe, expect, it } from 'vitest';
import { loadConfig, parseServerUrl } from '../src/config.js';

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
