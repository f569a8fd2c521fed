// The signer's closed list of failures, with the HiPKI LocalSignServer codes a page script may already know.
// ret_code values are HiPKI's where HiPKI has one for the case; last_error carries the PKCS#11 return value
// (CKR_PIN_INCORRECT 0xA0, CKR_PIN_LOCKED 0xA4) as HiPKI does.

export type SignerErrorCode =
  | 'no_reader'
  | 'no_card'
  | 'site_not_trusted'
  | 'no_pin'
  | 'bad_pin_format'
  | 'wrong_pin'
  | 'locked'
  | 'cancelled'
  | 'no_signing_certificate'
  | 'bad_request'
  | 'bad_json'
  | 'unknown_message'
  | 'tbs_missing'
  | 'tbs_too_large'
  | 'unsupported_algorithm'
  | 'busy'
  | 'card_error';

export const HIPKI_CODES: Record<SignerErrorCode, number> = {
  no_reader: 0x76100003, // 找不到讀卡機
  no_card: 0x76000006, // 未插入IC卡
  site_not_trusted: 0x76000031, // 此網站未受信任
  no_pin: 0x76000998, // 未輸入PIN碼
  cancelled: 0x76000999, // 使用者已取消動作
  // IC卡登入失敗, the reason in last_error: the PIN's format, a wrong PIN (with the tries left), the PIN locked.
  bad_pin_format: 0x76100006,
  wrong_pin: 0x76100006,
  locked: 0x76100006,
  no_signing_certificate: 0x76000002, // no certificate
  tbs_missing: 0x76000003, // nothing to sign
  tbs_too_large: 0x7600000a, // too large
  bad_json: 0x7600000b, // JSON format error
  bad_request: 0x7600000c, // parameter error
  unknown_message: 0x7600000c,
  unsupported_algorithm: 0x7600000c,
  busy: 0x76000997, // not a HiPKI code: too many requests, try again
  card_error: 0x76100004, // the card or its module failed
};

export const CKR_PIN_INCORRECT = 0xa0;
export const CKR_PIN_INVALID = 0xa1;
export const CKR_PIN_LEN_RANGE = 0xa2;
export const CKR_PIN_LOCKED = 0xa4;
/** The card module's vendor-defined answer to a wrong PIN: CKR_VENDOR_DEFINED plus the tries left (1 or 2). */
export const CKR_VENDOR_DEFINED = 0x80000000;

/**
 * last_error as the HiPKI component reports it: a wrong PIN with its tries left known is CKR_VENDOR_DEFINED + tries
 * (0x80000002, 0x80000001), as the card's module answers; otherwise the PKCS#11 return value (0xA0, 0xA4, ...).
 */
export function hipkiLastError(error: SignerError): number {
  if (error.code === 'wrong_pin' && error.triesLeft !== undefined && error.triesLeft > 0)
    return CKR_VENDOR_DEFINED + error.triesLeft;
  return error.lastError;
}

export class SignerError extends Error {
  readonly triesLeft: number | undefined;
  readonly lastError: number;

  constructor(
    readonly code: SignerErrorCode,
    detail?: { triesLeft?: number; lastError?: number; message?: string },
  ) {
    super(detail?.message ?? code);
    this.name = 'SignerError';
    this.triesLeft = detail?.triesLeft;
    this.lastError =
      detail?.lastError ?? (code === 'wrong_pin' ? CKR_PIN_INCORRECT : code === 'locked' ? CKR_PIN_LOCKED : 0);
  }
}

export function toSignerError(error: unknown): SignerError {
  if (error instanceof SignerError) return error;
  return new SignerError('card_error', { message: error instanceof Error ? error.message : String(error) });
}
