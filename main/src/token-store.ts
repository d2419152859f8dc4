/**
 * Session tokens, one per Parley server, encrypted with the operating system's keychain
 * through Electron's `safeStorage` and kept in a JSON file in userData.
 *
 * When the system offers no real encryption the token lives in memory for this run only
 * and the agent signs in again next time. Never plaintext on disk: the file sits in a
 * predictable folder that backups, sync tools and other local programs read. The one
 * exception is Linux's `basic_text` backend when the agent agreed to it (`plaintextConsent`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { PlaintextConsentLike } from './plaintext-consent.js';

/** The part of Electron's `safeStorage` the store uses, so tests can pass a fake. */
export type SecretCipher = {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only; absent elsewhere and on older Electron versions. */
  getSelectedStorageBackend?: () => string;
};

export type TokenStoreOptions = {
  cipher: SecretCipher;
  /** The JSON file, e.g. `<userData>/session-tokens.json`. */
  filePath: string;
  /** Told about files that could not be read or written; the store carries on. */
  onWarning?: (message: string, error?: unknown) => void;
  /**
   * Asked before a token is kept on disk under Linux's `basic_text` backend. Without it,
   * such tokens are kept for the session only.
   */
  plaintextConsent?: PlaintextConsentLike;
};

const TokenFileSchema = z.object({
  version: z.literal(1),
  /** Server key → base64 of the `safeStorage` ciphertext. */
  tokens: z.record(z.string(), z.string()),
});
type TokenFile = z.infer<typeof TokenFileSchema>;

/**
 * The key a token is stored under: scheme, host, port and path of the server, so that two
 * servers never share a token and `https://x/` and `https://x` are the same server.
 */
export function serverKey(serverUrl: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new TypeError(`Not a server URL: ${JSON.stringify(serverUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`A Parley server URL is http or https, got ${url.protocol}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function isMissingFile(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

export class TokenStore {
  /** Ciphertexts as they are (or are about to be) on disk. */
  private readonly sealed = new Map<string, string>();
  /** Tokens we could not encrypt: this run only. */
  private readonly sessionOnly = new Map<string, string>();
  private pendingWrite: Promise<void> = Promise.resolve();
  private started = false;

  constructor(private readonly options: TokenStoreOptions) {}

  /** Loads the file. A missing or unreadable file means "signed out everywhere", not a crash. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    let text: string;
    try {
      text = await readFile(this.options.filePath, 'utf8');
    } catch (error) {
      if (!isMissingFile(error)) this.warn('Could not read the session token file', error);
      return;
    }
    let file: TokenFile;
    try {
      file = TokenFileSchema.parse(JSON.parse(text));
    } catch (error) {
      // Overwritten by the next sign-in; there is nothing in it we could decrypt anyway.
      this.warn('Ignoring a corrupt session token file', error);
      return;
    }
    for (const [key, value] of Object.entries(file.tokens)) this.sealed.set(key, value);
  }

  /** Waits for the last write and forgets the in-memory tokens. */
  async dispose(): Promise<void> {
    await this.pendingWrite.catch(() => undefined);
    this.sessionOnly.clear();
    this.sealed.clear();
    this.started = false;
  }

  /**
   * Whether tokens are encrypted by the operating system. On Linux without a keyring,
   * Chromium falls back to the `basic_text` backend, which "encrypts" with a password
   * hard-coded in Chromium: as good as plaintext, so we count it as no encryption.
   * https://www.electronjs.org/docs/latest/api/safe-storage
   */
  isSecure(): boolean {
    const { cipher } = this.options;
    if (!cipher.isEncryptionAvailable()) return false;
    return cipher.getSelectedStorageBackend?.() !== 'basic_text';
  }

  /** Linux without a keyring: Chromium "encrypts" with a key anyone can read. */
  private isBasicText(): boolean {
    const { cipher } = this.options;
    return cipher.isEncryptionAvailable() && cipher.getSelectedStorageBackend?.() === 'basic_text';
  }

  /** Whether tokens on disk may be read: a real keychain, or basic_text the agent agreed to. */
  private canReadSealed(): boolean {
    return this.isSecure() || (this.isBasicText() && this.options.plaintextConsent?.answer === 'allowed');
  }

  /** Whether a new token may go to disk; under basic_text this asks the agent the first time. */
  private async maySeal(): Promise<boolean> {
    if (this.isSecure()) return true;
    if (!this.isBasicText() || this.options.plaintextConsent === undefined) return false;
    return this.options.plaintextConsent.allowed();
  }

  get(serverUrl: string): string | null {
    const key = serverKey(serverUrl);
    const remembered = this.sessionOnly.get(key);
    if (remembered !== undefined) return remembered;
    const sealed = this.sealed.get(key);
    if (sealed === undefined || !this.canReadSealed()) return null;
    try {
      return this.options.cipher.decryptString(Buffer.from(sealed, 'base64'));
    } catch (error) {
      // The keychain entry was reset or the file came from another machine: signed out.
      this.warn(`Could not decrypt the session token for ${key}`, error);
      return null;
    }
  }

  /** Stores the token; resolves to whether it was persisted (false: this run only). */
  async set(serverUrl: string, token: string): Promise<boolean> {
    const key = serverKey(serverUrl);
    let sealed: string | null = null;
    if (await this.maySeal()) {
      try {
        sealed = this.options.cipher.encryptString(token).toString('base64');
      } catch (error) {
        this.warn('Could not encrypt the session token; keeping it for this run only', error);
      }
    }

    if (sealed === null) {
      this.sessionOnly.set(key, token);
      // An older encrypted token for this server must not come back on the next start.
      if (this.sealed.delete(key)) await this.persist().catch(() => undefined);
      return false;
    }

    this.sessionOnly.delete(key);
    this.sealed.set(key, sealed);
    try {
      await this.persist();
      return true;
    } catch {
      // Still signed in for this run; the agent signs in again after a restart.
      this.sessionOnly.set(key, token);
      return false;
    }
  }

  async clear(serverUrl: string): Promise<void> {
    const key = serverKey(serverUrl);
    this.sessionOnly.delete(key);
    if (this.sealed.delete(key)) await this.persist();
  }

  /** Writes the whole file, one write at a time, replacing it atomically. */
  private persist(): Promise<void> {
    const file: TokenFile = { version: 1, tokens: Object.fromEntries(this.sealed) };
    const text = `${JSON.stringify(file, null, 2)}\n`;
    const write = this.pendingWrite
      .catch(() => undefined)
      .then(() => writeFileAtomically(this.options.filePath, text))
      .catch((error: unknown) => {
        this.warn('Could not write the session token file', error);
        throw error;
      });
    this.pendingWrite = write;
    return write;
  }

  private warn(message: string, error?: unknown): void {
    this.options.onWarning?.(message, error);
  }
}

/** Temp file + rename, so a crash mid-write leaves the old file rather than half a new one. */
async function writeFileAtomically(filePath: string, text: string): Promise<void> {
  await mkdir(path.dirname(filePath), { recursive: true });
  const temporary = `${filePath}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { encoding: 'utf8', mode: 0o600 });
    await rename(temporary, filePath);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
