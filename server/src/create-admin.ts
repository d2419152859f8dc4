import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { PASSWORD_MIN_LENGTH } from '@parley/protocol';
import { Agents } from './modules/agents/index.js';
import { ConfigError, type ServerConfig } from './config.js';
import { openDatabase } from './platform/database.js';
import { demoSecretKey } from './platform/secrets.js';
import { Store } from './platform/store.js';

/**
 * `node server/dist/main.js create-admin --email a@b.c --name "Ada"`: the first admin of a
 * fresh server (or another one later). The password comes from PARLEY_ADMIN_PASSWORD, or
 * is asked for when run in a terminal; it is never taken from the command line, where
 * other users of the machine could read it.
 */

const USAGE =
  'Usage: create-admin --email ada@example.com --name "Ada Lovelace" (password in PARLEY_ADMIN_PASSWORD, or typed)';

const ArgsSchema = z.object({
  email: z
    .string({ error: '--email is required' })
    .trim()
    .toLowerCase()
    .email('--email must be an email address, like ada@example.com'),
  name: z.string({ error: '--name is required' }).trim().min(1, '--name is required').max(80),
});

export async function createAdmin(argv: readonly string[], config: ServerConfig): Promise<string> {
  let values: unknown;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { email: { type: 'string' }, name: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError(`create-admin: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const args = ArgsSchema.safeParse(values);
  if (!args.success) {
    throw new ConfigError(`create-admin: ${args.error.issues.map((issue) => issue.message).join('; ')}\n${USAGE}`);
  }
  const password = process.env.PARLEY_ADMIN_PASSWORD ?? (await askPassword());
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new ConfigError(`create-admin: the password must have at least ${PASSWORD_MIN_LENGTH} characters.`);
  }
  const secretKey = config.secretKey ?? (config.demo ? demoSecretKey(config.dataDir) : null);
  const db = await openDatabase(config.dataDir, { secretKey, databaseUrl: config.databaseUrl });
  try {
    const agents = new Agents(new Store(db), config.sessionDays, config.accessTokenMinutes);
    if (await agents.hasAgent(args.data.email)) {
      throw new ConfigError(
        `create-admin: a user with the email ${args.data.email} already exists; nothing was changed.`,
      );
    }
    const admin = await agents.createAgent({ ...args.data, role: 'admin', password });
    return `Admin ${admin.name} <${admin.email}> created in ${config.dataDir}. Sign in with that email and password.`;
  } finally {
    await db.destroy();
  }
}

async function askPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new ConfigError('create-admin: set PARLEY_ADMIN_PASSWORD, or run in a terminal to type the password.');
  }
  const first = await hiddenQuestion('Password for the new admin: ');
  const again = await hiddenQuestion('Same password again: ');
  if (first !== again) throw new ConfigError('create-admin: the two passwords differ; nothing was changed.');
  return first;
}

function hiddenQuestion(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Echo the question, not the keys typed after it.
  const output = rl as unknown as { _writeToOutput: (text: string) => void };
  let asked = false;
  output._writeToOutput = (text: string) => {
    if (!asked) {
      process.stdout.write(text);
      asked = true;
    }
  };
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}
