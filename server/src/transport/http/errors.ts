import type { ErrorCode, FailureParams, FailureReason } from '@parley/protocol';
import type { FastifyReply } from 'fastify';

/** Every HTTP error body: `{ code, reason, params }`, never words; the client words it. */
export function sendApiError(
  reply: FastifyReply,
  status: number,
  code: ErrorCode | 'not_configured' | 'unavailable',
  reason?: FailureReason,
  params?: FailureParams,
): FastifyReply {
  return reply.code(status).send({
    code,
    ...(reason === undefined ? {} : { reason }),
    ...(params === undefined ? {} : { params }),
  });
}

/** The fields a zod error is about, joined by ', ' ('' for the top level). */
export function issuePaths(error: { issues: readonly { path: readonly PropertyKey[] }[] }): string {
  return [...new Set(error.issues.map((issue) => issue.path.map(String).join('.')))].join(', ');
}
