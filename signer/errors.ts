// The signer's closed list of failures, with the HiPKI LocalSignServer codes a page script may already know.
// ret_code values are HiPKI's where HiPKI has one for the case (the meanings of the component's own error table,
// errorcode.js, as its client pages carry it); last_error carries the PKCS#11 return value (CKR_PIN_INCORRECT 0xA0,
// CKR_PIN_LOCKED 0xA4) as HiPKI does.

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
  no_reader: 0x76100003, // 無可用讀卡機
  no_card: 0x76000006, // 未插入IC卡
  site_not_trusted: 0x76000031, // 在未授權的網站執行元件: clients answer it with 「請先加入信任網站」
  no_pin: 0x76000998, // 未輸入PIN碼
  cancelled: 0x76000999, // 使用者已取消動作
  // IC卡登入失敗, the reason in last_error: the PIN's format, a wrong PIN (with the tries left), the PIN locked.
  bad_pin_format: 0x76100006,
  wrong_pin: 0x76100006,
  locked: 0x76100006,
  no_signing_certificate: 0x7610000c, // 找不到指定憑證: the card holds no signing certificate
  tbs_missing: 0x76000003, // 未輸入待簽訊息
  tbs_too_large: 0x7600000a, // 檔案過大
  bad_json: 0x7600000b, // JSON格式錯誤
  bad_request: 0x7600000c, // 參數錯誤
  unknown_message: 0x7600000e, // 不支援的方法: a func the component does not have
  unsupported_algorithm: 0x7600000c,
  busy: 0x76000997, // not a HiPKI code: too many requests, try again
  card_error: 0x76100004, // 取得讀卡機資訊失敗: the card or its module failed
};

export const CKR_PIN_INCORRECT = 0xa0;
export const CKR_PIN_INVALID = 0xa1;
export const CKR_PIN_LEN_RANGE = 0xa2;
export const CKR_PIN_LOCKED = 0xa4;
/** The card module's vendor-defined answer to a wrong PIN: CKR_VENDOR_DEFINED plus the tries left (1 or 2). */
export const CKR_VENDOR_DEFINED = 0x80000000;

/**
 * last_error as the HiPKI component reports it: a wrong PIN with its tries left known is CKR_VENDOR_DEFINED + tries
 * as the card's module answers, written as a signed 32-bit number (-2147483646 for two tries left, -2147483647 for
 * one), which is the form client pages compare with; otherwise the PKCS#11 return value (0xA0, 0xA4, ...).
 */
export function hipkiLastError(error: SignerError): number {
  if (error.code === 'wrong_pin' && error.triesLeft !== undefined && error.triesLeft > 0)
    return (CKR_VENDOR_DEFINED + error.triesLeft) | 0;
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
