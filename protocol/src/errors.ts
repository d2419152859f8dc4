import { z } from 'zod';

export const ErrorCodeSchema = z.enum([
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'protocol_mismatch',
  'handshake_required',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export type Failure = { ok: false; code: ErrorCode; message: string };
/** What every request over the socket answers: a result, never a thrown string. */
export type Result<T extends object = Record<never, never>> = ({ ok: true } & T) | Failure;

export function failure(code: ErrorCode, message: string): Failure {
  return { ok: false, code, message };
}

export const FailureSchema = z.object({ ok: z.literal(false), code: ErrorCodeSchema, message: z.string() });

/** The `data` of a socket.io connection error raised by the server's auth middleware. */
export const ConnectErrorDataSchema = z.object({ code: ErrorCodeSchema });
