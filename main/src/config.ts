import path from 'node:path';
import { z } from 'zod';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

/** The name of the configuration file an administrator or a user may place (see below). */
export const CONFIG_FILE_NAME = 'parley.json';

export type ShellConfig = {
  /** The Parley server, without a trailing slash: what the renderer is told to talk to. */
  serverUrl: string;
  /** Its origin: what the Content-Security-Policy lets the renderer connect to. */
  serverOrigin: string;
  /** The update feed set in `parley.json`, if any (PARLEY_UPDATE_URL still wins). */
  updateUrl?: string;
};

/**
 * `parley.json`: written by whoever installs the app for a team, so that nobody has to type
 * the server's address. Unknown keys are refused so that a misspelt key is not silently
 * ignored.
 */
export const configFileSchema = z.strictObject({
  serverUrl: z.string().trim().min(1),
  /** The update feed for this team's installs, when it is not the one built into the app. */
  updateUrl: z.string().trim().min(1).optional(),
});
export type ConfigFile = z.infer<typeof configFileSchema>;

export type ConfigSources = {
  /** Candidate files, the one that wins first. */
  files: readonly string[];
  /** Returns a file's text, or `undefined` when there is no such file. */
  readFile: (filePath: string) => string | undefined;
};

/**
 * Where `parley.json` is looked for, the first found winning:
 * 1. the user's own, in the app's userData folder;
 * 2. the machine's, for every user: `%ProgramData%\Parley` on Windows,
 *    `/Library/Application Support/Parley` on macOS, `/etc/parley` elsewhere;
 * 3. beside the executable, where an installer (or a copied folder) can drop it.
 */
export function configFileCandidates(options: {
  platform: NodeJS.Platform;
  userDataDir: string;
  executablePath: string;
  env: Readonly<Record<string, string | undefined>>;
}): string[] {
  const { platform, userDataDir, executablePath, env } = options;
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const files = [pathApi.join(userDataDir, CONFIG_FILE_NAME)];
  if (platform === 'win32') {
    const programData = env['ProgramData'] ?? env['PROGRAMDATA'] ?? 'C:\\ProgramData';
    files.push(path.win32.join(programData, 'Parley', CONFIG_FILE_NAME));
  } else if (platform === 'darwin') {
    files.push(path.posix.join('/Library/Application Support/Parley', CONFIG_FILE_NAME));
  } else {
    files.push(path.posix.join('/etc/parley', CONFIG_FILE_NAME));
  }
  files.push(pathApi.join(pathApi.dirname(executablePath), CONFIG_FILE_NAME));
  return files;
}

/**
 * Reads the shell's configuration: PARLEY_SERVER_URL wins, then the first `parley.json`
 * found, then the local default. Throws with a readable message naming the variable or the
 * file on a bad value: starting against a half-parsed URL would only fail later and less
 * clearly.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, sources?: ConfigSources): ShellConfig {
  let file: { data: ConfigFile; path: string } | undefined;
  for (const filePath of sources?.files ?? []) {
    const text = sources?.readFile(filePath);
    if (text === undefined) continue;
    file = { data: parseConfigFile(text, filePath), path: filePath };
    break;
  }
  const fromEnv = env['PARLEY_SERVER_URL']?.trim();
  const server = fromEnv
    ? parseServerUrl(fromEnv)
    : file !== undefined
      ? parseServerUrl(file.data.serverUrl, file.path)
      : parseServerUrl(DEFAULT_SERVER_URL);
  return file?.data.updateUrl === undefined ? server : { ...server, updateUrl: file.data.updateUrl };
}

export function parseConfigFile(text: string, filePath: string): ConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${filePath} is not valid JSON`);
  }
  const parsed = configFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`)
      .join('; ');
    throw new Error(`${filePath} is not a valid Parley configuration: ${issues}`);
  }
  return parsed.data;
}

export function parseServerUrl(raw: string, source = 'PARLEY_SERVER_URL'): ShellConfig {
  const name = source === 'PARLEY_SERVER_URL' ? source : `serverUrl in ${source}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${name} must be http or https, got ${url.protocol}`);
  }
  // Credentials in the URL would end up in the CSP header and in app:getInfo.
  if (url.username !== '' || url.password !== '') {
    throw new Error(`${name} must not contain credentials`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error(`${name} must not have a query or a fragment`);
  }
  const pathname = url.pathname.replace(/\/+$/, '');
  return { serverUrl: `${url.origin}${pathname}`, serverOrigin: url.origin };
}
