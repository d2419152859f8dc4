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

/**
 * A sign-in: a short-lived access token (`token`, sent as `Authorization: Bearer` or the
 * session cookie) and a refresh token that gets the next pair from POST /api/auth/refresh.
 * Each refresh replaces both; presenting a replaced refresh token ends the sign-in.
 */
export const LoginResponseSchema = z.object({
  token: z.string().min(1),
  refreshToken: z.string().min(1),
  /** When `token` stops being accepted (ms since the epoch). */
  accessExpiresAt: z.number().int().nonnegative(),
  agent: AgentSchema,
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

/** POST /api/auth/refresh: the refresh token in the body (desktop) or its cookie (browser). */
export const RefreshRequestSchema = z.object({ refreshToken: z.string().min(1).max(512).optional() });
export type RefreshRequest = z.infer<typeof RefreshRequestSchema>;

/** The shortest password the server keeps. */
export const PASSWORD_MIN_LENGTH = 8;

/** POST /api/auth/invite/accept: the invite token from the link and the password chosen. */
export const InviteAcceptRequestSchema = z.object({
  token: z.string().min(1).max(512),
  password: z.string().max(1024),
});
export type InviteAcceptRequest = z.infer<typeof InviteAcceptRequestSchema>;

/** A user as admins and supervisors list them (GET /api/v1/users). */
export const UserSchema = AgentSchema.extend({
  createdAt: z.number().int().nonnegative(),
  deactivatedAt: z.number().int().nonnegative().nullable(),
});
export type User = z.infer<typeof UserSchema>;

/** A one-time invite: the link `?invite=<token>` lets the person choose a password. */
export const InviteSchema = z.object({ token: z.string().min(1), expiresAt: z.number().int().nonnegative() });
export type Invite = z.infer<typeof InviteSchema>;

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

/** The refresh cookie (HttpOnly, sent only to /api/auth). */
export const REFRESH_COOKIE = 'parley_refresh';
