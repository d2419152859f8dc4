/**
 * The shell's small JSON files in userData (window state, pop-out size, shell settings):
 * read through a schema, written whole through a temporary file renamed over the old one,
 * so a crash never leaves half a file. Neither ever throws: a file that cannot be read or
 * written costs the remembered value, never the start.
 */
import type { z } from 'zod';

/** What these files need of the file system: node:fs's synchronous calls fit. */
export type JsonFiles = {
  readFileSync: (filePath: string, encoding: 'utf8') => string;
  writeFileSync: (filePath: string, text: string) => void;
  renameSync: (from: string, to: string) => void;
};

export type Warn = (message: string, error?: unknown) => void;

/** The file's value when it holds what `schema` describes; undefined when it is missing or damaged (said). */
export function readJsonFile<T>(filePath: string, files: JsonFiles, schema: z.ZodType<T>, warn: Warn): T | undefined {
  let text: string;
  try {
    text = files.readFileSync(filePath, 'utf8');
  } catch (error) {
    // Missing is the first start; anything else is worth a line in the log.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && code !== 'ENOENT') warn(`Cannot read ${filePath}`, error);
    return undefined;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    warn(`Ignoring ${filePath}: not what Parley writes there`, parsed.error.message);
  } catch (error) {
    warn(`Ignoring ${filePath}: not JSON`, error);
  }
  return undefined;
}

/** Writes `value` as the file's whole content, atomically; a failure is said, not thrown. */
export function writeJsonFile(filePath: string, files: JsonFiles, value: unknown, warn: Warn): void {
  const temporary = `${filePath}.tmp`;
  try {
    files.writeFileSync(temporary, JSON.stringify(value));
    files.renameSync(temporary, filePath);
  } catch (error) {
    warn(`Could not save ${filePath}`, error);
  }
}
