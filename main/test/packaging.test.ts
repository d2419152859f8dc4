import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (relative: string): string => readFileSync(path.join(root, relative), 'utf8');
const readBytes = (relative: string): Buffer => readFileSync(path.join(root, relative));

type Json = Record<string, unknown>;
const builderConfig = parse(read('electron-builder.yml')) as Json;
const section = (name: string): Json => builderConfig[name] as Json;

/** electron-builder's own configuration schema (draft-07), the one it validates against. */
let compiled: ReturnType<Ajv['compile']> | undefined;
function builderValidator(): ReturnType<Ajv['compile']> {
  if (compiled !== undefined) return compiled;
  const schema = JSON.parse(read('node_modules/app-builder-lib/scheme.json')) as Json;
  // The schema uses a `typeof` keyword of its own for function-valued options.
  const ajv = new Ajv({ strict: false, allErrors: true });
  compiled = ajv.compile(schema);
  return compiled;
}

function targets(platform: string): string[] {
  const list = section(platform)['target'] as ({ target: string } | string)[];
  return list.map((entry) => (typeof entry === 'string' ? entry : entry.target));
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's configuration schema", () => {
    const validate = builderValidator();
    const valid = validate(builderConfig);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('passes the check electron-builder itself runs before building', async () => {
    const debug = { add: () => {}, isEnabled: false } as unknown as Parameters<typeof validateConfiguration>[1];
    await expect(validateConfiguration(builderConfig, debug)).resolves.toBeUndefined();
    await expect(
      validateConfiguration({ ...builderConfig, mac: { hardenedRuntim: true } } as Json, debug),
    ).rejects.toThrow(/Invalid configuration object/);
  });

  it('would be refused by that schema if it had a misspelt key', () => {
    const validate = builderValidator();
    expect(validate({ ...builderConfig, electronFuse: {} })).toBe(false);
    expect(validate({ ...builderConfig, nsis: { ...section('nsis'), perMachin: true } })).toBe(false);
  });

  it('builds NSIS (per-user or per-machine, the user chooses) and MSI on Windows', () => {
    expect(targets('win')).toEqual(['nsis', 'msi']);
    expect(section('nsis')).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true });
    expect(section('msi')['upgradeCode']).toMatch(/^[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}$/);
  });

  it('builds a signed, hardened dmg and zip per architecture on macOS', () => {
    expect(targets('mac')).toEqual(['dmg', 'zip']);
    const mac = section('mac');
    expect(mac['hardenedRuntime']).toBe(true);
    // Notarization is left to the environment (APPLE_API_KEY… or APPLE_ID…), never disabled.
    expect(mac['notarize']).not.toBe(false);
    const entitlements = read(mac['entitlements'] as string);
    const keys = [...entitlements.matchAll(/<key>([^<]+)<\/key>/g)].map((match) => match[1]);
    expect(keys.sort()).toEqual(['com.apple.security.cs.allow-jit', 'com.apple.security.network.client']);
  });

  it('builds AppImage, deb and rpm on Linux, with a desktop entry that handles parley://', () => {
    expect(targets('linux')).toEqual(['AppImage', 'deb', 'rpm']);
    const linux = section('linux');
    expect((linux['desktop'] as { entry: Json }).entry).toMatchObject({ Name: 'Parley', Categories: 'Network;Chat;' });
    // electron-builder writes MimeType=x-scheme-handler/<scheme>; for every protocol scheme.
    const protocols = builderConfig['protocols'] as { schemes: string[] }[];
    expect(protocols.flatMap((protocol) => protocol.schemes)).toContain('parley');
    expect((builderConfig['extraMetadata'] as Json)['desktopName']).toBe(
      `${linux['executableName'] as string}.desktop`,
    );
  });

  it('flips the Electron fuses that close the ways around the app', () => {
    expect(builderConfig['electronFuses']).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(builderConfig['asar']).toBe(true);
  });

  it('publishes a generic update feed for electron-updater', () => {
    const publish = section('publish');
    expect(publish['provider']).toBe('generic');
    expect(publish['url']).toMatch(/^https:\/\//);
  });

  it('has an icon for every format, rendered from the one source image', () => {
    expect(pngSize(readBytes('build/icon.png'))).toEqual({ width: 1024, height: 1024 });
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(pngSize(readBytes(`build/icons/${size}x${size}.png`))).toEqual({ width: size, height: size });
    }
    const ico = readBytes(section('win')['icon'] as string);
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    // The largest entry (0 means 256) is what Windows shows in Explorer's large views.
    const widths = Array.from({ length: ico.readUInt16LE(4) }, (_, index) => ico.readUInt8(6 + 16 * index) || 256);
    expect(widths).toContain(256);
    const icns = readBytes(section('mac')['icon'] as string);
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    expect(icns.includes(Buffer.from('ic10'))).toBe(true);
    expect(section('linux')['icon']).toBe('build/icons');
  });
});

type Step = { name?: string; uses?: string; run?: string; if?: string; with?: Json; env?: Record<string, string> };
type Job = {
  'runs-on': string;
  needs?: string | string[];
  strategy?: { matrix: { include: { os: string; platform: string }[] } };
  permissions?: Json;
  steps: Step[];
};
const workflow = parse(read('.github/workflows/release.yml')) as {
  on: Json;
  permissions: Json;
  jobs: Record<string, Job>;
};
const job = (name: string): Job => {
  const found = workflow.jobs[name];
  if (found === undefined) throw new Error(`release.yml has no job ${name}`);
  return found;
};
const stepUsing = (steps: Step[], action: string): Step => {
  const found = steps.find((step) => step.uses?.startsWith(`${action}@`));
  if (found === undefined) throw new Error(`no step uses ${action}`);
  return found;
};

describe('the release workflow', () => {
  it('runs on version tags only', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*'] } });
    // Only the publishing job may write to the repository.
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(job('publish').permissions).toEqual({ contents: 'write' });
  });

  it('builds each OS on its own native runner', () => {
    const build = job('build');
    expect(build['runs-on']).toBe('${{ matrix.os }}');
    const matrix = build.strategy?.matrix.include ?? [];
    expect(matrix.map((entry) => [entry.os, entry.platform]).sort()).toEqual([
      ['macos-latest', 'mac'],
      ['ubuntu-latest', 'linux'],
      ['windows-latest', 'win'],
    ]);
    const dist = build.steps.find((step) => step.run?.includes('npm run dist'));
    expect(dist?.run).toMatch(/--publish never/);
    expect(dist?.run).toMatch(/--"\$PLATFORM"/);
  });

  it('signs with the secrets only where they exist, never in a command line', () => {
    const build = job('build');
    const prepare = build.steps.find((step) => step.name === 'Prepare signing');
    expect(Object.keys(prepare?.env ?? {})).toEqual(
      expect.arrayContaining([
        'WIN_CSC_LINK',
        'WIN_CSC_KEY_PASSWORD',
        'CSC_LINK',
        'CSC_KEY_PASSWORD',
        'APPLE_API_KEY',
        'APPLE_API_KEY_ID',
        'APPLE_API_ISSUER',
        'APPLE_ID',
        'APPLE_APP_SPECIFIC_PASSWORD',
        'APPLE_TEAM_ID',
      ]),
    );
    const steps = Object.values(workflow.jobs).flatMap((each) => each.steps);
    for (const step of steps) expect(step.run ?? '').not.toMatch(/\$\{\{\s*secrets\./);
  });

  it('keeps every installer and update feed file as an artifact', () => {
    const upload = stepUsing(job('build').steps, 'actions/upload-artifact');
    const paths = String(upload.with?.['path']).trim().split('\n');
    for (const pattern of ['exe', 'msi', 'dmg', 'zip', 'AppImage', 'deb', 'rpm', 'blockmap']) {
      expect(paths).toContain(`release/*.${pattern}`);
    }
    expect(paths).toContain('release/latest*.yml');
    expect(upload.with?.['if-no-files-found']).toBe('error');
  });

  it('publishes them once every OS has built, with the three update feeds', () => {
    const publish = job('publish');
    expect(publish.needs).toBe('build');
    expect(publish['runs-on']).toBe('ubuntu-latest');
    expect(stepUsing(publish.steps, 'actions/download-artifact').with).toMatchObject({ pattern: 'installers-*' });
    const runs = publish.steps.map((step) => step.run ?? '').join('\n');
    expect(runs).toMatch(/latest\.yml latest-mac\.yml latest-linux\.yml/);
    expect(runs).toMatch(/gh release create "\$TAG"/);
  });
});
