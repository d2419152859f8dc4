import { z } from 'zod';
import { AgentRoleSchema, AgentSchema } from './domain.js';
import { FailureParamsSchema, FailureReasonSchema } from './errors.js';

export const LoginRequestSchema = z.object({
  email: z
    .string({ error: 'Enter your email address.' })
    .trim()
    .toLowerCase()
    .email('Enter an email address like ana@example.com.'),
  password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.'),
});
export type LoginRequest = z.input<typeof LoginRequestSchema>;

export const LoginResponseSchema = z.object({
  token: z.string().min(1),
  agent: AgentSchema,
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

/** What the server tells a signed-out client about itself. */
export const ServerInfoSchema = z.object({
  name: z.literal('parley'),
  version: z.string(),
  protocolVersion: z.number().int().positive(),
  /** Present when the server runs with demo data: accounts anyone may sign in as. */
  demoAccounts: z
    .array(z.object({ email: z.string(), password: z.string(), name: z.string(), role: AgentRoleSchema }))
    .optional(),
});
export type ServerInfo = z.infer<typeof ServerInfoSchema>;

/** An HTTP error body: a code, an optional precise reason and the values to word it with. */
export const ApiErrorSchema = z.object({
  code: z.string(),
  reason: FailureReasonSchema.optional().catch(undefined),
  params: FailureParamsSchema.optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** The session cookie a browser client is signed in with (HttpOnly, so scripts never see it). */
export const SESSION_COOKIE = 'parley_session';
