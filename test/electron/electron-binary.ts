/**
 * Where the Electron binary is, for the `_electron` tests. Electron's binary cannot be
 * downloaded everywhere (it is installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1 on machines
 * without a route to its release host); there every suite is skipped and prints why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { test } from '@playwright/test';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export type ElectronBinary = { found: true; executablePath: string } | { found: false; reason: string };

/** The `electron` package exports the binary's path, and throws when the binary is missing. */
function findElectronBinary(): ElectronBinary {
  const notInstalled =
    'Electron binary is not installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or its download failed)';
  let exported: unknown;
  try {
    exported = createRequire(import.meta.url)('electron');
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { found: false, reason: `${notInstalled}: ${detail}` };
  }
  if (typeof exported !== 'string' || !existsSync(exported)) {
    return { found: false, reason: `${notInstalled}: no executable at ${String(exported)}` };
  }
  return { found: true, executablePath: exported };
}

export const electronBinary = findElectronBinary();

/** Skips the current test or suite when `condition` holds, printing why in the run's output. */
export function skipPrinting(condition: boolean, reason: string): void {
  if (!condition) return;
  console.log(`[test/electron] skipped: ${reason}`);
  test.skip(true, reason);
}
