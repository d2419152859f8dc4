import { z } from 'zod';

export const ErrorCodeSchema = z.enum([
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'protocol_mismatch',
  'handshake_required',
  'internal',
  /** The messaging window is closed: on WhatsApp, send a template instead. */
  'window_closed',
  /** Messenger/Instagram past 24 hours: reply with the HUMAN_AGENT tag, if the account may. */
  'human_agent_required',
  /** The file is too large or of a type the platform does not accept. */
  'media_invalid',
  /** Another mutation already used this client id for something else. */
  'conflict',
  /** The platform refused the message for good (its code and words are in the message's error). */
  'send_failed',
  'too_large',
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
