import { randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const COST = 16384;

function scryptAsync(password: BinaryLike, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$<cost>$<salt hex>$<key hex>`: the cost is stored so it can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, { N: COST });
  return `scrypt$${COST}$${salt.toString('hex')}$${key.toString('hex')}`;
}

/** How many passwords were checked with scrypt since start (the sign-in tests count them). */
export const passwordWork = { checks: 0 };

export function isPasswordHash(stored: string): boolean {
  return stored.startsWith('scrypt$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, cost, saltHex, keyHex] = stored.split('$');
  if (scheme !== 'scrypt' || cost === undefined || saltHex === undefined || keyHex === undefined) return false;
  const expected = Buffer.from(keyHex, 'hex');
  passwordWork.checks += 1;
  const key = await scryptAsync(password, Buffer.from(saltHex, 'hex'), { N: Number(cost) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash no password matches in practice, checked when there is no real one, so the work is the same. */
let dummyHash: Promise<string> | null = null;

/**
 * Checks a password against a stored hash, or against a fixed dummy hash when the account
 * has none (no such email, an invite not accepted yet): the same scrypt work either way,
 * so the time of the answer does not tell whether an email exists.
 */
export async function verifyPasswordOrDummy(password: string, stored: string | undefined): Promise<boolean> {
  if (stored !== undefined && isPasswordHash(stored)) return verifyPassword(password, stored);
  dummyHash ??= hashPassword(randomBytes(24).toString('base64'));
  await verifyPassword(password, await dummyHash);
  return false;
}
