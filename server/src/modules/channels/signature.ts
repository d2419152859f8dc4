import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';

/** `sha256=<hex>` of HMAC-SHA256 over the exact bytes, as Meta signs its webhooks. */
export function signPayload(raw: Buffer | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(raw).digest('hex');
}

/**
 * Checks `X-Hub-Signature-256` over the raw request bytes, never a re-serialization
 * (Meta escapes non-ASCII text, so JSON.stringify of the parsed body would not match),
 * in constant time.
 */
export function verifySignature(raw: Buffer, header: string | undefined, appSecret: string): boolean {
  if (header === undefined || !header.startsWith(PREFIX)) return false;
  const hex = header.slice(PREFIX.length);
  if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', appSecret).update(raw).digest();
  return timingSafeEqual(given, expected);
}
