import fs from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { ConfigError } from '../../platform/config.js';
import { upsertChannelAccount } from './records.js';
import type { Store } from '../../platform/store.js';
import {
  ChannelsFileEntrySchema,
  accountInput,
  describeIssues,
  type ChannelAccountEntry,
  type ChannelsFileEntry,
  type FileSecret,
  type SecretField,
} from './schema.js';

/**
 * PARLEY_CHANNELS_FILE: the channel accounts an operator keeps in configuration.
 *
 * ```json
 * { "channels": [ { "channel": "whatsapp", "externalId": "106540352242922", "accessToken": "…",
 *                   "appSecret": { "env": "ACME_APP_SECRET" }, "verifyToken": "…" } ] }
 * ```
 *
 * Each entry is upserted by (channel, externalId) at every start. Accounts missing from
 * the file are left as they are: removing a line never deletes an account or its history.
 */
const ChannelsFileSchema = z.strictObject({
  channels: z.array(z.unknown(), {
    error: (issue) => (issue.input === undefined ? 'is missing: the list of channel accounts' : 'must be a list'),
  }),
});

export type ChannelsFileResult = { created: number; updated: number; unchanged: number };

/** Every problem in the file at once, so an operator fixes them in one go. */
export class ChannelsFileError extends ConfigError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `Parley cannot start: the channels file ${file} (PARLEY_CHANNELS_FILE) is invalid.\n` +
        problems.map((problem) => `  ${problem}`).join('\n'),
    );
  }
}

/**
 * Reads, validates and upserts the channels file. Nothing is written unless the whole file
 * is valid. Calling it again with an edited file updates the accounts it lists.
 */
export async function loadChannelsFile(
  file: string | undefined,
  store: Store,
  log: FastifyBaseLogger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChannelsFileResult> {
  const result: ChannelsFileResult = { created: 0, updated: 0, unchanged: 0 };
  if (file === undefined) return result;
  const entries = await readChannelsFile(file, env);
  for (const entry of entries) {
    const before = await store.db
      .selectFrom('channel_accounts')
      .select('seq')
      .where('channel', '=', entry.channel)
      .where('external_id', '=', entry.externalId)
      .executeTakeFirst();
    const row = await upsertChannelAccount(store, accountInput(entry));
    if (before === undefined) result.created += 1;
    else if (Number(before.seq) === Number(row.seq)) result.unchanged += 1;
    else result.updated += 1;
  }
  // Which accounts, never their tokens.
  log.info(
    { file, ...result, accounts: entries.map((entry) => `${entry.channel}:${entry.externalId}`) },
    'channel accounts loaded from PARLEY_CHANNELS_FILE',
  );
  return result;
}

/** Parses the file into validated entries, or throws a ChannelsFileError naming each problem. */
export async function readChannelsFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChannelAccountEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const reason =
      error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'it does not exist' : String(error);
    throw new ChannelsFileError(file, [`The file cannot be read: ${reason}.`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ChannelsFileError(file, [`The file is not valid JSON: ${jsonProblem(error, text)}.`]);
  }
  const top = ChannelsFileSchema.safeParse(json);
  if (!top.success) {
    throw new ChannelsFileError(file, [
      'Expected {"channels": [ … ]}.',
      ...describeIssues(top.error).map((line) => `the file: ${line}`),
    ]);
  }

  const problems: string[] = [];
  const entries: ChannelAccountEntry[] = [];
  const seen = new Map<string, number>();
  top.data.channels.forEach((raw, index) => {
    const label = entryLabel(raw, index);
    const parsed = ChannelsFileEntrySchema.safeParse(raw);
    if (!parsed.success) {
      for (const line of describeIssues(parsed.error)) problems.push(`${label} ${line}`);
      return;
    }
    const resolved = resolveSecrets(parsed.data, env);
    if (Array.isArray(resolved)) {
      for (const line of resolved) problems.push(`${label} ${line}`);
      return;
    }
    const key = `${resolved.channel}:${resolved.externalId}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(`${label} repeats channels[${first}]: each (channel, externalId) may appear once`);
      return;
    }
    seen.set(key, index);
    entries.push(resolved);
  });
  if (problems.length > 0) throw new ChannelsFileError(file, problems);
  return entries;
}

/** `channels[2] (messenger 682498302938465)`: the index, and what the entry says it is. */
function entryLabel(raw: unknown, index: number): string {
  const hint = z.looseObject({ channel: z.string(), externalId: z.string() }).safeParse(raw);
  return hint.success ? `channels[${index}] (${hint.data.channel} ${hint.data.externalId})` : `channels[${index}]`;
}

/** Reads `{ "env": "NAME" }` references; returns the problems, in words, when some are unset. */
function resolveSecrets(entry: ChannelsFileEntry, env: NodeJS.ProcessEnv): ChannelAccountEntry | string[] {
  const problems: string[] = [];
  const read = (field: SecretField, value: FileSecret): string => {
    if (typeof value === 'string') return value;
    const found = env[value.env]?.trim();
    if (found === undefined || found === '') {
      problems.push(`${field}: names the environment variable ${value.env}, which is not set or empty`);
      return '';
    }
    return found;
  };
  const resolved: ChannelAccountEntry = {
    ...entry,
    accessToken: read('accessToken', entry.accessToken),
    appSecret: read('appSecret', entry.appSecret),
    verifyToken: read('verifyToken', entry.verifyToken),
  };
  return problems.length > 0 ? problems : resolved;
}

/**
 * JSON.parse's message without the excerpt of the text V8 quotes in it (the excerpt could
 * be a token), with its position turned into a line and column.
 */
function jsonProblem(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : 'unreadable';
  const withoutExcerpt = message.replace(/,\s*(\.\.\.)?".*" is not valid JSON$/s, '');
  const position = /at position (\d+)/.exec(withoutExcerpt);
  if (position?.[1] === undefined) return withoutExcerpt;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${withoutExcerpt.replace(/ in JSON at position \d+.*$/s, '')} (line ${line}, column ${column})`;
}
