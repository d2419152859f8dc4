import { z } from 'zod';
import { AttachmentKindSchema } from '@parley/protocol';
import { readJson, refusalOf, send, ServerUnreachable, type Refusal } from './http.js';
import type { MediaSource } from './media.js';

export const UploadedMediaSchema = z.object({
  mediaId: z.string().min(1),
  kind: AttachmentKindSchema,
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  fileName: z.string().nullable(),
});
export type UploadedMedia = z.infer<typeof UploadedMediaSchema>;

/**
 * Why an upload did not go through, in codes: the server's refusal, `unreachable` when no
 * answer came, or `internal` with the `status` of an answer outside the protocol's terms.
 */
export type UploadFailure = Refusal;

export type UploadResult = { ok: true; media: UploadedMedia } | ({ ok: false } & UploadFailure);

/**
 * Uploads a file the agent attached. The server checks size and type against the
 * conversation's platform and answers `media_invalid` with a reason and params when they do not fit.
 */
export async function uploadMedia(
  source: MediaSource,
  file: File,
  conversationId: string,
  signal?: AbortSignal,
): Promise<UploadResult> {
  const form = new FormData();
  // Fields before the file: a streaming multipart parser reads them before the bytes.
  form.append('conversationId', conversationId);
  form.append('file', file, file.name);
  let response: Response;
  try {
    response = await send(source, '/api/media', { method: 'POST', body: form, signal });
  } catch (error) {
    if (!(error instanceof ServerUnreachable)) throw error;
    return { ok: false, code: 'unreachable' };
  }
  const body = await readJson(response);
  if (!response.ok) {
    const refusal = refusalOf(body);
    return refusal !== null
      ? { ok: false, ...refusal }
      : { ok: false, code: 'internal', params: { status: response.status } };
  }
  const media = UploadedMediaSchema.safeParse(body);
  return media.success
    ? { ok: true, media: media.data }
    : { ok: false, code: 'internal', reason: 'malformed', params: { request: 'upload' } };
}
