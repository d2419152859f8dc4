import { failureText } from '../../common/i18n/failures.js';
import type { Locale } from '../../common/i18n/index.js';
import { ApiError } from '../../platform/api.js';

/** A failed request in the admin's words: the server's refusal, or that it could not be asked. */
export function refusalText(error: unknown, lang: Locale): string {
  if (error instanceof ApiError) {
    return failureText(
      {
        code: error.code,
        ...(error.reason === undefined ? {} : { reason: error.reason }),
        ...(error.params === undefined ? {} : { params: error.params }),
      },
      lang,
    );
  }
  return failureText({ code: 'internal' }, lang);
}
