import { z } from 'zod';
import { ApiErrorSchema, AttachmentKindSchema } from '@parley/protocol';
import { t } from '../common/i18n/index.js';
import { authHeaders, type MediaSource } from './source.js';

export const UploadedMediaSchema = z.object({
  mediaId: z.string().min(1),
  kind: AttachmentKindSchema,
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  fileName: z.string().nullable(),
});
export type UploadedMedia = z.infer<typeof UploadedMediaSchema>;

export type UploadResult = { ok: true; media: UploadedMedia } | { ok: false; code: string; message: string };

/**
 * Uploads a file the agent attached. The server checks size and type against the
 * conversation's platform and answers `media_invalid` with words when they do not fit.
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
    response = await fetch(new URL('/api/media', source.serverUrl), {
      method: 'POST',
      body: form,
      credentials: 'include',
      headers: await authHeaders(source),
      signal,
    });
  } catch (error) {
    if (signal?.aborted === true) throw error;
    return { ok: false, code: 'unreachable', message: t('composer.uploadUnreachable') };
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const refusal = ApiErrorSchema.safeParse(body);
    return refusal.success
      ? { ok: false, code: refusal.data.code, message: refusal.data.message ?? '' }
      : { ok: false, code: 'internal', message: t('composer.uploadFailed', { status: response.status }) };
  }
  const media = UploadedMediaSchema.safeParse(body);
  return media.success
    ? { ok: true, media: media.data }
    : { ok: false, code: 'internal', message: t('mutation.badReply') };
}
