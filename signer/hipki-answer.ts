// The failure answer every HiPKI endpoint gives: the component's ret_code and last_error, the reasons to show
// (message for ret_code, message2 for last_error, as the component's answers carry them), and our own code beside.
import { HIPKI_CODES, hipkiLastError, type SignerError } from './errors.js';
import { errorMessage, lastErrorMessage, type Lang } from './locale.js';

export function hipkiErrorBody(func: string, error: SignerError, lang: Lang, extra: Record<string, unknown> = {}) {
  const lastError = hipkiLastError(error);
  const reason = lastError !== 0 ? lastErrorMessage(lang, lastError) : undefined;
  return {
    func,
    ret_code: HIPKI_CODES[error.code],
    last_error: lastError,
    message: errorMessage(lang, error.code, error.triesLeft),
    ...(reason ? { message2: reason } : {}),
    ...extra,
    error: error.code,
    ...(error.triesLeft !== undefined ? { triesLeft: error.triesLeft } : {}),
  };
}

/** A /pkcs11info failure keeps `slots` (empty): clients read ret.slots.length before they look at ret_code. */
export function pkcs11InfoErrorBody(error: SignerError, lang: Lang, slots: unknown[] = []) {
  return hipkiErrorBody('pkcs11info', error, lang, { slots });
}
