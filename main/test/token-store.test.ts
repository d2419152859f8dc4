import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PlaintextConsent } from '../src/plaintext-consent.js';
import { TokenStore, serverKey, type SecretCipher } from '../src/token-store.js';

/** A stand-in for safeStorage: real AES-GCM under a key that lives only in this object. */
class FakeKeychain implements SecretCipher {
  readonly key = randomBytes(32);
  available = true;
  backend: string | undefined = undefined;
  encryptCalls = 0;

  isEncryptionAvailable(): boolean {
    return this.available;
  }

  encryptString(plainText: string): Buffer {
    if (!this.available) throw new Error('Encryption is not available.');
    this.encryptCalls += 1;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  decryptString(encrypted: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, encrypted.subarray(0, 12));
    decipher.setAuthTag(encrypted.subarray(12, 28));
    return Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/** Linux without a keyring: `isEncryptionAvailable()` is true, but the key is hard-coded. */
class BasicTextKeychain extends FakeKeychain {
  getSelectedStorageBackend(): string {
    return 'basic_text';
  }
}

const SERVER_A = 'https://a.parley.example';
const SERVER_B = 'https://b.parley.example';
const TOKEN = 'tok_4f1b6c0e9a2d47e8b5c3';

let folder: string;
let filePath: string;

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'parley-tokens-'));
  filePath = path.join(folder, 'userData', 'session-tokens.json');
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function fileText(): Promise<string> {
  return readFile(filePath, 'utf8');
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function expectNoPlaintext(text: string): void {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(Buffer.from(TOKEN).toString('base64'));
  expect(text).not.toContain(Buffer.from(TOKEN).toString('hex'));
}

describe('serverKey', () => {
  it('treats a trailing slash as the same server', () => {
    expect(serverKey('https://x.example/')).toBe(serverKey('https://x.example'));
  });

  it('keeps scheme, port and path apart', () => {
    const keys = new Set(
      ['http://x.example', 'https://x.example', 'https://x.example:8443', 'https://x.example/eu'].map(serverKey),
    );
    expect(keys.size).toBe(4);
  });

  it('refuses non-http URLs', () => {
    expect(() => serverKey('file:///etc/passwd')).toThrow(TypeError);
  });
});

describe('TokenStore with the OS keychain', () => {
  it('encrypts, persists, and reads the token back after a restart', async () => {
    const keychain = new FakeKeychain();
    const store = new TokenStore({ cipher: keychain, filePath });
    await store.start();
    expect(store.isSecure()).toBe(true);
    await expect(store.set(SERVER_A, TOKEN)).resolves.toBe(true);
    expect(keychain.encryptCalls).toBe(1);
    expectNoPlaintext(await fileText());
    await store.dispose();

    const restarted = new TokenStore({ cipher: keychain, filePath });
    await restarted.start();
    expect(restarted.get(SERVER_A)).toBe(TOKEN);
    expect(restarted.get(`${SERVER_A}/`)).toBe(TOKEN);
  });

  it('writes the file readable by the user only', async () => {
    const store = new TokenStore({ cipher: new FakeKeychain(), filePath });
    await store.start();
    await store.set(SERVER_A, TOKEN);
    if (process.platform !== 'win32') {
      expect((await stat(filePath)).mode & 0o777).toBe(0o600);
    }
    // No temp files left next to it.
    expect(await readdir(path.dirname(filePath))).toEqual(['session-tokens.json']);
  });

  it('keeps one token per server', async () => {
    const keychain = new FakeKeychain();
    const store = new TokenStore({ cipher: keychain, filePath });
    await store.start();
    await store.set(SERVER_A, 'token-a');
    await store.set(SERVER_B, 'token-b');
    expect(store.get(SERVER_A)).toBe('token-a');
    expect(store.get(SERVER_B)).toBe('token-b');
    expect(store.get('https://c.parley.example')).toBeNull();

    await store.clear(SERVER_A);
    expect(store.get(SERVER_A)).toBeNull();
    expect(store.get(SERVER_B)).toBe('token-b');
    await store.dispose();

    const restarted = new TokenStore({ cipher: keychain, filePath });
    await restarted.start();
    expect(restarted.get(SERVER_A)).toBeNull();
    expect(restarted.get(SERVER_B)).toBe('token-b');
  });

  it('keeps every write when they overlap', async () => {
    const keychain = new FakeKeychain();
    const store = new TokenStore({ cipher: keychain, filePath });
    await store.start();
    const servers = Array.from({ length: 10 }, (_, index) => `https://s${index}.parley.example`);
    await Promise.all(servers.map((server, index) => store.set(server, `token-${index}`)));
    await store.dispose();

    const restarted = new TokenStore({ cipher: keychain, filePath });
    await restarted.start();
    expect(servers.map((server) => restarted.get(server))).toEqual(servers.map((_, index) => `token-${index}`));
  });

  it('treats a token it cannot decrypt as signed out', async () => {
    const store = new TokenStore({ cipher: new FakeKeychain(), filePath });
    await store.start();
    await store.set(SERVER_A, TOKEN);
    await store.dispose();

    const onWarning = vi.fn();
    // Another keychain: as after a keychain reset or a copied profile.
    const elsewhere = new TokenStore({ cipher: new FakeKeychain(), filePath, onWarning });
    await elsewhere.start();
    expect(elsewhere.get(SERVER_A)).toBeNull();
    expect(onWarning).toHaveBeenCalled();
  });
});

describe('TokenStore without real encryption', () => {
  it.each([
    ['encryption unavailable', (): FakeKeychain => Object.assign(new FakeKeychain(), { available: false })],
    ['the basic_text backend', (): FakeKeychain => new BasicTextKeychain()],
  ])('with %s keeps the token in memory and never writes it', async (_name, makeKeychain) => {
    const keychain = makeKeychain();
    const store = new TokenStore({ cipher: keychain, filePath });
    await store.start();
    expect(store.isSecure()).toBe(false);
    await expect(store.set(SERVER_A, TOKEN)).resolves.toBe(false);
    expect(store.get(SERVER_A)).toBe(TOKEN);
    expect(keychain.encryptCalls).toBe(0);
    if (await exists(filePath)) expectNoPlaintext(await fileText());
    for (const name of await readdir(folder, { recursive: true })) {
      const file = path.join(folder, name);
      if ((await stat(file)).isFile()) expectNoPlaintext(await readFile(file, 'utf8'));
    }
    await store.dispose();

    // The next run starts signed out.
    const restarted = new TokenStore({ cipher: keychain, filePath });
    await restarted.start();
    expect(restarted.get(SERVER_A)).toBeNull();
  });

  it('drops an older encrypted token so it cannot come back', async () => {
    const keychain = new FakeKeychain();
    const first = new TokenStore({ cipher: keychain, filePath });
    await first.start();
    await first.set(SERVER_A, 'old-token');
    await first.set(SERVER_B, 'token-b');
    await first.dispose();

    keychain.available = false;
    const second = new TokenStore({ cipher: keychain, filePath });
    await second.start();
    await expect(second.set(SERVER_A, TOKEN)).resolves.toBe(false);
    expect(second.get(SERVER_A)).toBe(TOKEN);
    expectNoPlaintext(await fileText());
    await second.dispose();

    keychain.available = true;
    const third = new TokenStore({ cipher: keychain, filePath });
    await third.start();
    expect(third.get(SERVER_A)).toBeNull();
    expect(third.get(SERVER_B)).toBe('token-b');
  });

  it('keeps the token for the run when encryption throws', async () => {
    const keychain = new FakeKeychain();
    keychain.encryptString = (): Buffer => {
      throw new Error('keychain locked');
    };
    const store = new TokenStore({ cipher: keychain, filePath });
    await store.start();
    await expect(store.set(SERVER_A, TOKEN)).resolves.toBe(false);
    expect(store.get(SERVER_A)).toBe(TOKEN);
    expect(await exists(filePath)).toBe(false);
  });
});

describe('TokenStore with a damaged file', () => {
  it.each([
    ['not JSON', '{"version":1,"tokens":'],
    ['the wrong shape', '{"version":2,"tokens":[]}'],
    ['a wrong value type', '{"version":1,"tokens":{"https://a.parley.example":42}}'],
    ['empty', ''],
  ])('starts signed out when the file is %s, and can sign in again', async (_name, text) => {
    await writeFile(path.join(folder, 'corrupt.json'), text);
    const corruptPath = path.join(folder, 'corrupt.json');
    const onWarning = vi.fn();
    const keychain = new FakeKeychain();
    const store = new TokenStore({ cipher: keychain, filePath: corruptPath, onWarning });
    await expect(store.start()).resolves.toBeUndefined();
    expect(onWarning).toHaveBeenCalledWith(expect.stringMatching(/corrupt/), expect.anything());
    expect(store.get(SERVER_A)).toBeNull();

    await expect(store.set(SERVER_A, TOKEN)).resolves.toBe(true);
    await store.dispose();
    const restarted = new TokenStore({ cipher: keychain, filePath: corruptPath });
    await restarted.start();
    expect(restarted.get(SERVER_A)).toBe(TOKEN);
  });

  it('starts signed out when the file does not exist, without warning', async () => {
    const onWarning = vi.fn();
    const store = new TokenStore({ cipher: new FakeKeychain(), filePath, onWarning });
    await store.start();
    expect(store.get(SERVER_A)).toBeNull();
    expect(onWarning).not.toHaveBeenCalled();
  });
});

describe('TokenStore under basic_text, with the agent asked first', () => {
  const consentPath = (): string => path.join(folder, 'userData', 'plaintext-consent.json');

  async function open(keychain: FakeKeychain, ask: () => Promise<boolean>) {
    const consent = new PlaintextConsent({ filePath: consentPath(), ask });
    await consent.load();
    const store = new TokenStore({ cipher: keychain, filePath, plaintextConsent: consent });
    await store.start();
    return { consent, store };
  }

  it('keeps the token across restarts once the agent agreed, and asks only once', async () => {
    const keychain = new BasicTextKeychain();
    const ask = vi.fn(() => Promise.resolve(true));
    const first = await open(keychain, ask);
    await expect(first.store.set(SERVER_A, TOKEN)).resolves.toBe(true);
    await expect(first.store.set(SERVER_B, TOKEN)).resolves.toBe(true);
    expect(ask).toHaveBeenCalledTimes(1);
    expect(first.store.isSecure()).toBe(false);
    expectNoPlaintext(await fileText());
    expect(JSON.parse(await readFile(consentPath(), 'utf8'))).toEqual({ version: 1, plaintextTokens: 'allowed' });
    await first.store.dispose();

    const again = vi.fn(() => Promise.resolve(false));
    const second = await open(keychain, again);
    expect(second.store.get(SERVER_A)).toBe(TOKEN);
    await second.store.set(SERVER_A, 'tok_next');
    expect(again).not.toHaveBeenCalled();
  });

  it('keeps the token for the session only when the agent refused, and remembers the refusal', async () => {
    const keychain = new BasicTextKeychain();
    const ask = vi.fn(() => Promise.resolve(false));
    const first = await open(keychain, ask);
    await expect(first.store.set(SERVER_A, TOKEN)).resolves.toBe(false);
    await expect(first.store.set(SERVER_A, TOKEN)).resolves.toBe(false);
    expect(first.store.get(SERVER_A)).toBe(TOKEN);
    expect(ask).toHaveBeenCalledTimes(1);
    expect(keychain.encryptCalls).toBe(0);
    expect(await exists(filePath)).toBe(false);
    await first.store.dispose();

    const again = vi.fn(() => Promise.resolve(true));
    const second = await open(keychain, again);
    expect(second.store.get(SERVER_A)).toBeNull();
    await expect(second.store.set(SERVER_A, TOKEN)).resolves.toBe(false);
    expect(again).not.toHaveBeenCalled();
  });

  it('shows one question for two sign-ins at once', async () => {
    let answer: (agreed: boolean) => void = () => undefined;
    const ask = vi.fn(() => new Promise<boolean>((resolve) => (answer = resolve)));
    const { store } = await open(new BasicTextKeychain(), ask);
    const both = Promise.all([store.set(SERVER_A, TOKEN), store.set(SERVER_B, TOKEN)]);
    await vi.waitFor(() => expect(ask).toHaveBeenCalled());
    answer(true);
    await expect(both).resolves.toEqual([true, true]);
    expect(ask).toHaveBeenCalledTimes(1);
  });

  it('asks again next time when the question could not be shown, and keeps nothing meanwhile', async () => {
    const keychain = new BasicTextKeychain();
    const failing = vi.fn(() => Promise.reject(new Error('no display')));
    const first = await open(keychain, failing);
    await expect(first.store.set(SERVER_A, TOKEN)).resolves.toBe(false);
    expect(await exists(consentPath())).toBe(false);
    expect(first.consent.answer).toBeNull();
    await first.store.dispose();

    const ask = vi.fn(() => Promise.resolve(true));
    const second = await open(keychain, ask);
    await expect(second.store.set(SERVER_A, TOKEN)).resolves.toBe(true);
    expect(ask).toHaveBeenCalledTimes(1);
  });

  it('treats a malformed consent file as not asked yet', async () => {
    await mkdir(path.dirname(consentPath()), { recursive: true });
    await writeFile(consentPath(), '{"version":1,"plaintextTokens":"maybe"}');
    const ask = vi.fn(() => Promise.resolve(false));
    const { consent, store } = await open(new BasicTextKeychain(), ask);
    expect(consent.answer).toBeNull();
    await store.set(SERVER_A, TOKEN);
    expect(ask).toHaveBeenCalledTimes(1);
  });

  it('never asks when the keychain is real or when there is no encryption at all', async () => {
    const ask = vi.fn(() => Promise.resolve(true));
    const real = await open(new FakeKeychain(), ask);
    await expect(real.store.set(SERVER_A, TOKEN)).resolves.toBe(true);
    await real.store.dispose();
    const none = await open(Object.assign(new FakeKeychain(), { available: false }), ask);
    await expect(none.store.set(SERVER_B, TOKEN)).resolves.toBe(false);
    expect(ask).not.toHaveBeenCalled();
  });
});
