// The company or agency details of a registration with a 工商憑證, 政府憑證 or 通關專屬憑證: every field checked at once,
// values kept except the passwords. The 統一編號 (or 機關代碼) is not a field: it is read from the certificate.
import { validateAddress, ADDRESS_ERRORS } from './address';
import { validateAccountFields } from './account-fields';
import { CONSENT_ERRORS } from './consent';
import { EMAIL_ERRORS } from './email';
import { validateName, NAME_ERRORS } from './name';
import { PASSWORD_CONFIRM_ERRORS, PASSWORD_ERRORS } from './password';
import { validatePhone, PHONE_ERRORS } from './phone';
import { CONTROL_CHARACTERS, codePointLength, fail, ok, toHalfWidth, type FieldResult } from './result';

export const ORGANISATION_FIELDS = [
  'organisationName',
  'representative',
  'contactName',
  'phone',
  'mobile',
  'address',
  'licenceNumber',
  'password',
  'passwordConfirm',
  'email1',
  'email2',
  'consent',
] as const;
export type OrganisationField = (typeof ORGANISATION_FIELDS)[number];

export const ORGANISATION_KEPT_FIELDS = ORGANISATION_FIELDS.filter(
  (f) => f !== 'password' && f !== 'passwordConfirm',
) as Exclude<OrganisationField, 'password' | 'passwordConfirm'>[];
export type OrganisationValues = Record<(typeof ORGANISATION_KEPT_FIELDS)[number], string>;

export const ORGANISATION_NAME_ERRORS = ['required', 'too_long', 'invalid_character'] as const;
export const LICENCE_ERRORS = ['required', 'too_long', 'format'] as const;
export const ORGANISATION_NAME_MAX = 100;
export const LICENCE_MAX = 40;

/** Every reason each field can give; each has a message validation.<field>.<code> in both locale files. */
export const ORGANISATION_ERROR_CODES = {
  organisationName: ORGANISATION_NAME_ERRORS,
  representative: NAME_ERRORS,
  contactName: NAME_ERRORS,
  phone: PHONE_ERRORS,
  mobile: PHONE_ERRORS.filter((c) => c !== 'required') as Exclude<(typeof PHONE_ERRORS)[number], 'required'>[],
  address: ADDRESS_ERRORS,
  licenceNumber: LICENCE_ERRORS,
  password: PASSWORD_ERRORS,
  passwordConfirm: PASSWORD_CONFIRM_ERRORS,
  email1: EMAIL_ERRORS,
  email2: EMAIL_ERRORS.filter((c) => c !== 'required') as Exclude<(typeof EMAIL_ERRORS)[number], 'required'>[],
  consent: CONSENT_ERRORS,
} as const satisfies Record<OrganisationField, readonly string[]>;

export type OrganisationError = {
  [F in OrganisationField]: { field: F; code: (typeof ORGANISATION_ERROR_CODES)[F][number] };
}[OrganisationField];

export interface OrganisationDetails {
  organisationName: string;
  /** 負責人 */
  representative: string;
  /** 聯絡人 */
  contactName: string;
  phone: string;
  mobile: string | null;
  address: string;
  /** only for a category that gives one (ORGANISATION_RULES) */
  licenceNumber: string | null;
  /** as typed; hashed, never stored or logged */
  password: string;
  email1: string;
  email2: string | null;
  personalDataNotice: string;
}

export type OrganisationResult =
  { ok: true; value: OrganisationDetails } | { ok: false; errors: OrganisationError[]; values: OrganisationValues };

/** The registered name of a company or agency: as typed, spaces squeezed; at most 100 characters. */
export function validateOrganisationName(
  input: string,
): FieldResult<string, (typeof ORGANISATION_NAME_ERRORS)[number]> {
  const name = input.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (name === '') return fail('required');
  if (CONTROL_CHARACTERS.test(name)) return fail('invalid_character');
  if (codePointLength(name) > ORGANISATION_NAME_MAX) return fail('too_long');
  return ok(name);
}

/**
 * A licence or permit number (報關業設置登記證, 快遞業者登記, 保稅倉庫執照 …): each authority writes its own, so only its
 * shape is checked: letters, digits, Chinese characters and the usual punctuation (字第…號, hyphens, brackets).
 */
export function validateLicenceNumber(input: string): FieldResult<string, (typeof LICENCE_ERRORS)[number]> {
  const text = toHalfWidth(input).replace(/\s+/gu, ' ').trim();
  if (text === '') return fail('required');
  if (codePointLength(text) > LICENCE_MAX) return fail('too_long');
  if (!/^[\p{Script=Han}A-Za-z0-9][\p{Script=Han}A-Za-z0-9 ()\-/.]*$/u.test(text)) return fail('format');
  return ok(text);
}

function field(body: unknown, name: string): string {
  if (!body || typeof body !== 'object') return '';
  const v = (body as Record<string, unknown>)[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : '';
}

export function keptOrganisationValues(body: unknown): OrganisationValues {
  return Object.fromEntries(ORGANISATION_KEPT_FIELDS.map((f) => [f, field(body, f)])) as OrganisationValues;
}

/**
 * `licence`: the category gives a licence number (else the field is not asked and ignored); `organisationId`: the
 * 統一編號 or 機關代碼 read from the certificate, which the password may not contain.
 */
export function validateOrganisationDetails(
  body: unknown,
  options: { licence: boolean; organisationId: string },
): OrganisationResult {
  const raw = Object.fromEntries(ORGANISATION_FIELDS.map((f) => [f, field(body, f)])) as Record<
    OrganisationField,
    string
  >;
  const errors: OrganisationError[] = [];
  const organisationName = validateOrganisationName(raw.organisationName);
  if (!organisationName.ok) errors.push({ field: 'organisationName', code: organisationName.error });
  const representative = validateName(raw.representative);
  if (!representative.ok) errors.push({ field: 'representative', code: representative.error });
  const contactName = validateName(raw.contactName);
  if (!contactName.ok) errors.push({ field: 'contactName', code: contactName.error });
  const phone = validatePhone(raw.phone);
  if (!phone.ok) errors.push({ field: 'phone', code: phone.error });
  const mobile = raw.mobile.trim() === '' ? ok(null) : validatePhone(raw.mobile);
  if (!mobile.ok) errors.push({ field: 'mobile', code: mobile.error === 'required' ? 'format' : mobile.error });
  const address = validateAddress(raw.address);
  if (!address.ok) errors.push({ field: 'address', code: address.error });
  const licence = options.licence ? validateLicenceNumber(raw.licenceNumber) : ok(null);
  if (!licence.ok) errors.push({ field: 'licenceNumber', code: licence.error });
  // The rule forbids a password containing the account's id; an organisation's is its 統一編號 (or 機關代碼).
  const account = validateAccountFields(raw, options.organisationId, errors);

  if (
    !organisationName.ok ||
    !representative.ok ||
    !contactName.ok ||
    !phone.ok ||
    !mobile.ok ||
    !address.ok ||
    !licence.ok ||
    !account
  ) {
    return { ok: false, errors, values: keptOrganisationValues(body) };
  }
  return {
    ok: true,
    value: {
      organisationName: organisationName.value,
      representative: representative.value,
      contactName: contactName.value,
      phone: phone.value,
      mobile: mobile.value,
      address: address.value,
      licenceNumber: licence.value,
      ...account,
    },
  };
}
