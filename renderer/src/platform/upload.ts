import { z } from 'zod';
import { AttachmentKindSchema } from '@parley/protocol';
import { t } from '../common/i18n/index.js';
import { readJson, refusalOf, send, ServerUnreachable } from './http.js';
import type { MediaSource } from './media.js';

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
    response = await send(source, '/api/media', { method: 'POST', body: form, signal });
  } catch (error) {
    if (!(error instanceof ServerUnreachable)) throw error;
    return { ok: false, code: 'unreachable', message: t('composer.uploadUnreachable') };
  }
  const body = await readJson(response);
  if (!response.ok) {
    const refusal = refusalOf(body);
    return refusal !== null
      ? { ok: false, ...refusal }
      : { ok: false, code: 'internal', message: t('composer.uploadFailed', { status: response.status }) };
  }
  const media = UploadedMediaSchema.safeParse(body);
  return media.success
    ? { ok: true, media: media.data }
    : { ok: false, code: 'internal', message: t('mutation.badReply') };
}
