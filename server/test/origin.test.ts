import { describe, expect, it } from 'vitest';
import { originAllowed } from '../src/transport/socket/sockets.js';

describe('socket handshake origin', () => {
  it('allows the desktop app, the server’s own pages and non-browser clients', () => {
    expect(originAllowed('app://parley', '127.0.0.1:8080')).toBe(true);
    expect(originAllowed('http://127.0.0.1:8080', '127.0.0.1:8080')).toBe(true);
    expect(originAllowed('https://parley.example.com', 'parley.example.com')).toBe(true);
    expect(originAllowed(undefined, '127.0.0.1:8080')).toBe(true);
  });

  it('refuses pages from anywhere else, including another port of the same host', () => {
    expect(originAllowed('https://evil.example', 'parley.example.com')).toBe(false);
    expect(originAllowed('http://127.0.0.1:5000', '127.0.0.1:8080')).toBe(false);
    expect(originAllowed('app://parley.evil', '127.0.0.1:8080')).toBe(false);
    expect(originAllowed('http://127.0.0.1:8080', undefined)).toBe(false);
  });
});
