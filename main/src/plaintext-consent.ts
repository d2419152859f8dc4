/**
 * The agent's answer to "keep the sign-in on this computer without a keychain?". On Linux
 * without a keyring, Chromium's `basic_text` backend encrypts with a key written in
 * Chromium's source: a token kept that way is readable by any program of the user. The app
 * keeps it beyond the session only if the agent agreed, asks once, and remembers the answer
 * in `<userData>/plaintext-consent.json`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export type PlaintextAnswer = 'allowed' | 'refused';

const ConsentFileSchema = z.object({
  version: z.literal(1),
  plaintextTokens: z.enum(['allowed', 'refused']),
});

export type PlaintextConsentOptions = {
  filePath: string;
  /** Shows the question (a native dialog in the app); resolves to whether the agent agreed. */
  ask: () => Promise<boolean>;
  onWarning?: (message: string, error?: unknown) => void;
};

/** What `TokenStore` needs of the consent. */
export type PlaintextConsentLike = {
  /** The remembered answer; null before the agent was asked. */
  readonly answer: PlaintextAnswer | null;
  /** Whether tokens may be kept on disk; asks the first time. Never rejects. */
  allowed(): Promise<boolean>;
};

export class PlaintextConsent implements PlaintextConsentLike {
  private remembered: PlaintextAnswer | null = null;
  private asking: Promise<boolean> | null = null;

  constructor(private readonly options: PlaintextConsentOptions) {}

  get answer(): PlaintextAnswer | null {
    return this.remembered;
  }

  /** Reads the remembered answer; a missing or malformed file means "not asked yet". */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.options.filePath, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code !== 'ENOENT') {
        this.options.onWarning?.('Could not read the storage consent file', error);
      }
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    const file = ConsentFileSchema.safeParse(parsed);
    if (file.success) this.remembered = file.data.plaintextTokens;
    else this.options.onWarning?.('Ignoring a malformed storage consent file');
  }

  allowed(): Promise<boolean> {
    if (this.remembered !== null) return Promise.resolve(this.remembered === 'allowed');
    // Two sign-ins at once see one dialog.
    this.asking ??= this.askOnce().finally(() => {
      this.asking = null;
    });
    return this.asking;
  }

  private async askOnce(): Promise<boolean> {
    let agreed: boolean;
    try {
      agreed = await this.options.ask();
    } catch (error) {
      // No answer is not a refusal to remember: ask again next time, keep nothing for now.
      this.options.onWarning?.('Could not ask about keeping the sign-in', error);
      return false;
    }
    this.remembered = agreed ? 'allowed' : 'refused';
    try {
      await mkdir(path.dirname(this.options.filePath), { recursive: true });
      const file: z.infer<typeof ConsentFileSchema> = { version: 1, plaintextTokens: this.remembered };
      await writeFile(this.options.filePath, `${JSON.stringify(file, null, 2)}\n`, { encoding: 'utf8', mode: 0o600 });
    } catch (error) {
      this.options.onWarning?.('Could not remember the storage consent', error);
    }
    return agreed;
  }
}
