import { z } from 'zod';
import { AgentSchema } from './domain.js';
import { FailureSchema } from './errors.js';

/**
 * The version of the socket protocol. Bump it on any change a client of the previous
 * version would misread; the server refuses a `hello` from any other version.
 */
export const PROTOCOL_VERSION = 3;

export const HelloSchema = z.object({
  protocolVersion: z.number().int().positive(),
  /** Free text for the server's logs, e.g. "parley-desktop/0.1.0 (linux)". */
  client: z.string().max(200),
});
export type Hello = z.infer<typeof HelloSchema>;

export const WelcomeSchema = z.object({
  ok: z.literal(true),
  protocolVersion: z.number().int().positive(),
  agent: AgentSchema,
  head: z.number().int().nonnegative(),
});
export type Welcome = z.infer<typeof WelcomeSchema>;

export function protocolMismatchMessage(clientVersion: number, serverVersion: number): string {
  return clientVersion < serverVersion
    ? `This app is older than the Parley server (protocol ${clientVersion}, server ${serverVersion}). Update the app to keep working.`
    : `This app is newer than the Parley server (protocol ${clientVersion}, server ${serverVersion}). Ask your administrator to update the server.`;
}

export const HelloReplySchema = z.union([WelcomeSchema, FailureSchema]);
export type HelloReply = z.infer<typeof HelloReplySchema>;
