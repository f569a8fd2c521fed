// 申請類別. The 帳號註冊 chooser lists every category of the seed (報關業 once, though the seed lists it twice); only
// 個人 and 報關專責人員 register with a Citizen Digital Certificate on the 新版自然人憑證註冊 page. Labels are in the
// locale files as validation.categories.<code>.
import { fail, ok, type FieldResult } from './result';

/** Which certificate a category registers with: MOICA 自然人憑證, MOEACA 工商憑證, GCA 政府憑證. */
export type CategoryCertificate = 'moica' | 'moeaca' | 'gca';

export const REGISTRATION_CATEGORIES = [
  { code: 'individual', certificate: 'moica', labelKey: 'validation.categories.individual' },
  { code: 'customs_specialist', certificate: 'moica', labelKey: 'validation.categories.customs_specialist' },
  { code: 'enterprise', certificate: 'moeaca', labelKey: 'validation.categories.enterprise' },
  { code: 'customs_broker', certificate: 'moeaca', labelKey: 'validation.categories.customs_broker' },
  { code: 'express', certificate: 'moeaca', labelKey: 'validation.categories.express' },
  { code: 'shipping', certificate: 'moeaca', labelKey: 'validation.categories.shipping' },
  { code: 'warehouse', certificate: 'moeaca', labelKey: 'validation.categories.warehouse' },
  {
    code: 'customs_inspection_broker',
    certificate: 'moeaca',
    labelKey: 'validation.categories.customs_inspection_broker',
  },
  { code: 'offshore_duty_free', certificate: 'moeaca', labelKey: 'validation.categories.offshore_duty_free' },
  { code: 'duty_free_shop', certificate: 'moeaca', labelKey: 'validation.categories.duty_free_shop' },
  { code: 'government', certificate: 'gca', labelKey: 'validation.categories.government' },
] as const satisfies ReadonlyArray<{ code: string; certificate: CategoryCertificate; labelKey: string }>;

export type RegistrationCategory = (typeof REGISTRATION_CATEGORIES)[number]['code'];

export const CITIZEN_CATEGORIES = ['individual', 'customs_specialist'] as const;
export type CitizenCategory = (typeof CITIZEN_CATEGORIES)[number];

export const CATEGORY_ERRORS = ['required', 'invalid'] as const;
export type CategoryError = (typeof CATEGORY_ERRORS)[number];

export function isRegistrationCategory(value: string): value is RegistrationCategory {
  return REGISTRATION_CATEGORIES.some((c) => c.code === value);
}

/** The chooser's answer: any category of the list. */
export function validateRegistrationCategory(input: string): FieldResult<RegistrationCategory, CategoryError> {
  const code = input.trim();
  if (code === '') return fail('required');
  return isRegistrationCategory(code) ? ok(code) : fail('invalid');
}

/** The citizen page's 申請類別: 個人 or 報關專責人員 only. */
export function validateCitizenCategory(input: string): FieldResult<CitizenCategory, CategoryError> {
  const code = input.trim();
  if (code === '') return fail('required');
  return (CITIZEN_CATEGORIES as readonly string[]).includes(code) ? ok(code as CitizenCategory) : fail('invalid');
}
