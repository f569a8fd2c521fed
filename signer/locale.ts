// The signer's own messages (it is a separate program from the portal): Traditional Chinese first, English second.
import type { SignerErrorCode } from './errors.js';

export type Lang = 'zh-TW' | 'en';
export const LANGS: readonly Lang[] = ['zh-TW', 'en'];

export function pickLang(value: unknown, fallback: Lang): Lang {
  if (typeof value !== 'string') return fallback;
  const v = value.trim().toLowerCase();
  if (v === 'en' || v.startsWith('en-')) return 'en';
  if (v === 'zh-tw' || v === 'zh' || v.startsWith('zh-')) return 'zh-TW';
  return fallback;
}

const errors: Record<Lang, Record<SignerErrorCode, string>> = {
  'zh-TW': {
    no_reader: '找不到讀卡機，請確認讀卡機已連接。',
    no_card: '未插入IC卡，請插入您的憑證IC卡（自然人憑證、工商憑證或政府憑證）。',
    site_not_trusted: '此網站未受信任，憑證元件拒絕為它簽章。',
    no_pin: '未輸入PIN碼，請輸入IC卡的PIN碼。',
    bad_pin_format: 'PIN碼格式錯誤：PIN碼為6至8位英文字母或數字。',
    wrong_pin: 'PIN碼錯誤。',
    locked: 'PIN碼已鎖定：連續輸入錯誤3次。請洽憑證管理中心解鎖。',
    cancelled: '使用者已取消動作。',
    no_signing_certificate: '卡片中找不到簽章用憑證（加密用憑證不能用來簽章）。',
    bad_request: '要求的內容不正確。',
    bad_json: '要求不是正確的JSON格式。',
    unknown_message: '不認得的要求。',
    tbs_missing: '未提供待簽訊息。',
    tbs_too_large: '待簽訊息過大（上限 64 KiB）。',
    unsupported_algorithm: '不支援的雜湊演算法或簽章格式（支援 SHA1、SHA256、SHA384、SHA512；PKCS1、PKCS7、RAW）。',
    busy: '要求過於頻繁，請稍後再試。',
    card_error: '讀取卡片時發生錯誤，請重新插入卡片後再試。',
  },
  en: {
    no_reader: 'No card reader was found. Check that the reader is connected.',
    no_card:
      'No card is inserted. Insert your certificate card (Citizen Digital Certificate, business or government certificate).',
    site_not_trusted: 'This site is not trusted: the signer refuses to sign for it.',
    no_pin: "No PIN was entered. Enter the card's PIN.",
    bad_pin_format: 'The PIN is not in the right format: 6 to 8 letters or digits.',
    wrong_pin: 'Wrong PIN.',
    locked: 'The PIN is locked after 3 wrong attempts. Contact the certificate authority to unlock the card.',
    cancelled: 'Cancelled by the user.',
    no_signing_certificate: 'No signing certificate on the card (the encryption certificate cannot sign).',
    bad_request: 'The request is not valid.',
    bad_json: 'The request is not valid JSON.',
    unknown_message: 'Unknown request.',
    tbs_missing: 'Nothing to sign was given.',
    tbs_too_large: 'The text to sign is too large (at most 64 KiB).',
    unsupported_algorithm:
      'Unsupported hash algorithm or signature format (SHA1, SHA256, SHA384, SHA512; PKCS1, PKCS7 or RAW).',
    busy: 'Too many requests. Try again in a moment.',
    card_error: 'The card could not be read. Re-insert the card and try again.',
  },
};

const texts = {
  'zh-TW': {
    signerName: '憑證元件',
    loaded: '憑證載入完成。',
    ok: '確定',
    cancel: '取消',
    back: '回到上一頁',
    backToPortal: '回到網站',
    closeWindow: '您可以關閉此視窗。',
    errorTitle: '無法完成簽章',
    triesLeft: (n: number) => `還可以再試 ${n} 次，錯誤 3 次後卡片將鎖定。`,
    holder: '持卡人',
    cardSerial: '卡號',
    issuer: '發卡單位',
    site: '簽章的網站',
    continueHint: '請按「確定」將簽章送回網站。',
    running: '憑證元件正在執行。',
    readers: '讀卡機與卡片',
    noCards: '沒有插入任何卡片。',
    allowed: '信任的網站',
    version: '版本',
    popupTitle: '簽章中',
    popupWorking: '憑證元件正在處理，請稍候…',
    signing: '簽章用',
    encryption: '加密用',
    other: '其他',
    reader: '讀卡機',
    card: '卡片',
    certificates: '憑證',
    chooseCard: '使用哪一張卡片（示範用：相當於插入讀卡機）',
    insert: '使用這張卡片',
    inUse: '使用中',
  },
  en: {
    signerName: 'Certificate signer',
    loaded: 'Certificate loaded.',
    ok: 'OK',
    cancel: 'Cancel',
    back: 'Back to the previous page',
    backToPortal: 'Back to the site',
    closeWindow: 'You can close this window.',
    errorTitle: 'The signature could not be made',
    triesLeft: (n: number) => `${n} ${n === 1 ? 'try' : 'tries'} left; the card locks after 3 wrong PINs.`,
    holder: 'Card holder',
    cardSerial: 'Card number',
    issuer: 'Issuer',
    site: 'Signing for',
    continueHint: 'Press OK to send the signature back to the site.',
    running: 'The certificate signer is running.',
    readers: 'Readers and cards',
    noCards: 'No card is inserted.',
    allowed: 'Trusted sites',
    version: 'Version',
    popupTitle: 'Signing',
    popupWorking: 'The signer is working, please wait…',
    signing: 'signing',
    encryption: 'encryption',
    other: 'other',
    reader: 'Reader',
    card: 'Card',
    certificates: 'Certificates',
    chooseCard: 'Which card to use (demo: like inserting it in the reader)',
    insert: 'Use this card',
    inUse: 'in use',
  },
};

export type Texts = (typeof texts)['en'];

export function t(lang: Lang): Texts {
  return texts[lang];
}

export function errorMessage(lang: Lang, code: SignerErrorCode, triesLeft?: number): string {
  const base = errors[lang][code];
  if (code === 'wrong_pin' && triesLeft !== undefined)
    return `${base}${lang === 'en' ? ' ' : ''}${texts[lang].triesLeft(triesLeft)}`;
  return base;
}

// What a HiPKI answer's last_error means (its message2): the reasons the component's own error table gives.
const lastErrorReasons: Record<Lang, Record<number, string>> = {
  'zh-TW': {
    0xa0: 'PIN碼錯誤',
    0xa1: 'PIN碼格式錯誤',
    0xa2: 'PIN碼長度錯誤',
    0xa4: '已鎖卡',
    [-2147483647]: 'PIN碼錯誤，剩餘一次機會',
    [-2147483646]: 'PIN碼錯誤，剩餘兩次機會',
  },
  en: {
    0xa0: 'Wrong PIN.',
    0xa1: 'The PIN has characters a PIN cannot have.',
    0xa2: 'The PIN has the wrong length.',
    0xa4: 'The card is locked.',
    [-2147483647]: 'Wrong PIN. One try is left.',
    [-2147483646]: 'Wrong PIN. Two tries are left.',
  },
};

export function lastErrorMessage(lang: Lang, lastError: number): string | undefined {
  return lastErrorReasons[lang][lastError];
}
