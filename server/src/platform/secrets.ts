import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ColumnNode,
  ColumnUpdateNode,
  InsertQueryNode,
  PrimitiveValueListNode,
  TableNode,
  UpdateQueryNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { ConfigError } from './config.js';

/**
 * Channel secrets at rest (a Page's access token, an app secret, a verify token): sealed
 * with AES-256-GCM under a key from PARLEY_SECRET_KEY, stored as
 * `enc:v1:<iv>:<tag>:<ciphertext>` (each part base64). A copy of the database alone opens
 * no channel. The rest of the server never sees a sealed value: the database plugin below
 * seals these columns on every write and opens them on every read.
 */

export const SECRET_PREFIX = 'enc:v1:';
export const SECRET_KEY_VARIABLE = 'PARLEY_SECRET_KEY';

/** The columns sealed at rest, by table. */
const SEALED: Readonly<Record<string, ReadonlySet<string>>> = {
  channel_accounts: new Set(['access_token', 'app_secret', 'verify_token']),
};
const SEALED_COLUMNS = new Set(Object.values(SEALED).flatMap((columns) => [...columns]));

/** A 32-byte key written as base64 or hex; anything else is refused with the variable's name. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(
      `Parley cannot start: ${SECRET_KEY_VARIABLE} must be 32 bytes written as base64 (44 characters) or hex ` +
        `(64 characters). Make one with: openssl rand -base64 32`,
    );
  }
  return key;
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SECRET_PREFIX);
}

export class SecretBox {
  constructor(private readonly key: Buffer | null) {}

  get hasKey(): boolean {
    return this.key !== null;
  }

  /**
   * Sealed when there is a key. A value already sealed under this key is left as it is; one
   * that only looks sealed (an input that happens to start with the prefix) is sealed like
   * any text, so no input can leave a value that later fails to open.
   */
  seal(value: string): string {
    if (this.key === null) return value;
    if (isSealed(value) && this.opens(value)) return value;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${SECRET_PREFIX}${iv.toString('base64')}:${tag.toString('base64')}:${ciphertext.toString('base64')}`;
  }

  private opens(value: string): boolean {
    try {
      this.open(value);
      return true;
    } catch {
      return false;
    }
  }

  /** The plaintext of a sealed value (a plaintext one is answered as it is). */
  open(value: string): string {
    if (!isSealed(value)) return value;
    if (this.key === null) throw new ConfigError(missingKeyMessage());
    const [ivText, tagText, cipherText] = value.slice(SECRET_PREFIX.length).split(':');
    if (ivText === undefined || tagText === undefined || cipherText === undefined) {
      throw new Error('A sealed secret in the database is damaged.');
    }
    const iv = Buffer.from(ivText, 'base64');
    const tag = Buffer.from(tagText, 'base64');
    // Only full-length tags: a shortened one would weaken what the tag proves.
    if (iv.length !== 12 || tag.length !== 16) throw new Error('A sealed secret in the database is damaged.');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: 16 });
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(Buffer.from(cipherText, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new ConfigError(
        `Parley cannot start: a channel secret in the database does not open with this ${SECRET_KEY_VARIABLE}. ` +
          'Use the key the secrets were written with.',
      );
    }
  }
}

export function missingKeyMessage(): string {
  return (
    `Parley cannot start: the database holds encrypted channel secrets but ${SECRET_KEY_VARIABLE} is not set. ` +
    `Set ${SECRET_KEY_VARIABLE} to the key they were written with.`
  );
}

/**
 * The demo's key: made up on the first run and kept in the data folder (readable by the
 * server's user only), so a restarted demo opens what it sealed before.
 */
export function demoSecretKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'demo-secret.key');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  fs.chmodSync(file, 0o600);
  return parseSecretKey(fs.readFileSync(file, 'utf8'));
}

function tableName(node: OperationNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (TableNode.is(node)) return node.table.identifier.name;
  return undefined;
}

function columnName(node: OperationNode): string | undefined {
  return ColumnNode.is(node) ? node.column.name : undefined;
}

/** Seals the sealed columns of INSERT and UPDATE statements, and opens them in every result. */
export function secretsPlugin(box: SecretBox): KyselyPlugin {
  const sealValue = (value: unknown): unknown => (typeof value === 'string' ? box.seal(value) : value);
  const sealNode = (node: OperationNode): OperationNode =>
    ValueNode.is(node) ? ValueNode.create(sealValue(node.value)) : node;
  const sealUpdates = (
    updates: readonly ColumnUpdateNode[] | undefined,
    columns: ReadonlySet<string>,
  ): readonly ColumnUpdateNode[] | undefined =>
    updates?.map((update) => {
      const name = columnName(update.column);
      return name !== undefined && columns.has(name)
        ? ColumnUpdateNode.create(update.column, sealNode(update.value))
        : update;
    });

  const transformInsert = (node: InsertQueryNode): InsertQueryNode => {
    const columns = SEALED[tableName(node.into) ?? ''];
    if (columns === undefined || node.columns === undefined || node.values === undefined) return node;
    const sealedAt = new Set(node.columns.flatMap((column, index) => (columns.has(column.column.name) ? [index] : [])));
    let values = node.values;
    if (ValuesNode.is(values)) {
      values = ValuesNode.create(
        values.values.map((row) =>
          PrimitiveValueListNode.is(row)
            ? PrimitiveValueListNode.create(row.values.map((v, i) => (sealedAt.has(i) ? sealValue(v) : v)))
            : ValueListNode.create(row.values.map((v, i) => (sealedAt.has(i) ? sealNode(v) : v))),
        ),
      );
    }
    const onConflict =
      node.onConflict === undefined
        ? undefined
        : { ...node.onConflict, updates: sealUpdates(node.onConflict.updates, columns) };
    return Object.freeze({ ...node, values, ...(onConflict === undefined ? {} : { onConflict }) });
  };

  const transformUpdate = (node: UpdateQueryNode): UpdateQueryNode => {
    const columns = SEALED[tableName(node.table) ?? ''];
    if (columns === undefined) return node;
    return Object.freeze({ ...node, updates: sealUpdates(node.updates, columns) });
  };

  return {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      const node = args.node;
      if (InsertQueryNode.is(node)) return transformInsert(node);
      if (UpdateQueryNode.is(node)) return transformUpdate(node);
      return node;
    },
    transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const { result } = args;
      const first = result.rows[0];
      if (first === undefined || !Object.keys(first).some((key) => SEALED_COLUMNS.has(key))) {
        return Promise.resolve(result);
      }
      const rows = result.rows.map((row) => {
        const opened: UnknownRow = { ...row };
        for (const key of SEALED_COLUMNS) {
          const value = opened[key];
          if (isSealed(value)) opened[key] = box.open(value);
        }
        return opened;
      });
      return Promise.resolve({ ...result, rows });
    },
  };
}
