import { describe, expect, it } from 'vitest';
import {
  ChangeSchema,
  DESKTOP_CHANNELS,
  HelloReplySchema,
  LiveBatchSchema,
  LoginRequestSchema,
  PROTOCOL_VERSION,
  PullRequestSchema,
  contentSecurityPolicy,
  desktopChannels,
  isDesktopChannel,
  protocolMismatchMessage,
} from '../src/index.js';

const message = {
  id: 'm1',
  conversationId: 'c1',
  clientId: null,
  externalId: 'wamid.1',
  direction: 'inbound',
  kind: 'text',
  text: 'hi',
  authorAgentId: null,
  status: 'received',
  attachments: [],
  location: null,
  sharedContacts: [],
  replyTo: null,
  interactive: null,
  reactions: [],
  forwarded: 'no',
  template: null,
  humanAgentTag: false,
  error: null,
  editedAt: null,
  deletedAt: null,
  mentions: [],
  createdAt: 1,
  seq: 5,
};

describe('protocol schemas', () => {
  it('accept a well-formed change and reject an unknown entity or a missing field', () => {
    expect(ChangeSchema.parse({ entity: 'message', data: message }).data.seq).toBe(5);
    expect(ChangeSchema.safeParse({ entity: 'ticket', data: message }).success).toBe(false);
    const { conversationId: _dropped, ...incomplete } = message;
    expect(ChangeSchema.safeParse({ entity: 'message', data: incomplete }).success).toBe(false);
  });

  it('reject a live batch with no changes or a negative cursor', () => {
    expect(LiveBatchSchema.safeParse({ after: 1, changes: [] }).success).toBe(false);
    expect(LiveBatchSchema.safeParse({ after: -1, changes: [{ entity: 'message', data: message }] }).success).toBe(
      false,
    );
  });

  it('bound the pull page size and default it', () => {
    expect(PullRequestSchema.parse({ cursor: 0 }).limit).toBe(500);
    expect(PullRequestSchema.safeParse({ cursor: 0, limit: 100_000 }).success).toBe(false);
  });

  it('tell a welcome from a refusal', () => {
    const refused = HelloReplySchema.parse({ ok: false, code: 'protocol_mismatch', message: 'update' });
    expect(refused.ok).toBe(false);
    expect(HelloReplySchema.safeParse({ ok: true }).success).toBe(false);
  });

  it('normalize the login email and explain a bad one in words', () => {
    expect(LoginRequestSchema.parse({ email: ' Ana@Example.COM ', password: 'x' }).email).toBe('ana@example.com');
    const bad = LoginRequestSchema.safeParse({ email: 'ana', password: 'x' });
    expect(bad.success ? '' : bad.error.issues[0]?.message).toMatch(/email address/);
  });
});

describe('protocol version', () => {
  it('says which side to update', () => {
    expect(protocolMismatchMessage(PROTOCOL_VERSION - 1, PROTOCOL_VERSION)).toMatch(/Update the app/);
    expect(protocolMismatchMessage(PROTOCOL_VERSION + 1, PROTOCOL_VERSION)).toMatch(/update the server/);
  });
});

describe('desktop channels', () => {
  it('list exactly the channels that have argument schemas', () => {
    expect([...DESKTOP_CHANNELS].sort()).toEqual(Object.keys(desktopChannels).sort());
    expect(isDesktopChannel('session:getToken')).toBe(true);
    expect(isDesktopChannel('__proto__')).toBe(false);
    expect(isDesktopChannel('toString')).toBe(false);
  });
});

describe('content security policy', () => {
  it('allows scripts only from the app and the network only to the server', () => {
    const csp = contentSecurityPolicy(['https://parley.example.com']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("connect-src 'self' https://parley.example.com wss://parley.example.com");
    expect(csp).toContain("object-src 'none'");
  });
});
