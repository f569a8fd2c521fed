// The part every registration form shares, whoever registers: the password and its confirmation, the e-mail
// addresses, and the 個資蒐集告知 consent (個人資料保護法 第8條: no registration without the applicant's agreement).
import { validateConsent, type ConsentError } from './consent';
import { validateEmail, validateOptionalEmail, type EmailError } from './email';
import {
  passwordRuleFailures,
  validatePasswordConfirm,
  type PasswordConfirmError,
  type PasswordError,
} from './password';

export type AccountFieldError =
  | { field: 'password'; code: PasswordError }
  | { field: 'passwordConfirm'; code: PasswordConfirmError }
  | { field: 'email1'; code: EmailError }
  | { field: 'email2'; code: Exclude<EmailError, 'required'> }
  | { field: 'consent'; code: ConsentError };

export interface AccountFields {
  password: string;
  email1: string;
  email2: string | null;
  /** Which wording of the 個資蒐集告知 the applicant agreed to. */
  personalDataNotice: string;
}

/**
 * Pushes each broken rule onto `errors` (every password rule at once) and returns the values when none broke.
 * `accountId` is what the password must not contain: the ID number, or an organisation's 統一編號.
 */
export function validateAccountFields(
  raw: { password: string; passwordConfirm: string; email1: string; email2: string; consent: string },
  accountId: string | undefined,
  // The caller's own list, of a wider error type: only pushed to.
  errors: { length: number; push(error: AccountFieldError): number },
): AccountFields | undefined {
  const before = errors.length;
  for (const code of passwordRuleFailures(raw.password, accountId)) errors.push({ field: 'password', code });
  const confirm = validatePasswordConfirm(raw.password, raw.passwordConfirm);
  if (!confirm.ok) errors.push({ field: 'passwordConfirm', code: confirm.error });
  const email1 = validateEmail(raw.email1);
  if (!email1.ok) errors.push({ field: 'email1', code: email1.error });
  const email2 = validateOptionalEmail(raw.email2);
  if (!email2.ok) errors.push({ field: 'email2', code: email2.error });
  const consent = validateConsent(raw.consent);
  if (!consent.ok) errors.push({ field: 'consent', code: consent.error });
  if (errors.length > before || !email1.ok || !email2.ok || !consent.ok) return undefined;
  return { password: raw.password, email1: email1.value, email2: email2.value, personalDataNotice: consent.value };
}
