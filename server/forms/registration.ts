// The 新版自然人憑證註冊 details form as one validator: every field checked at once (GOV.UK: all errors shown together,
// in the order of the form), entered values kept for the re-rendered form except the passwords.
import { validateAddress, ADDRESS_ERRORS } from './address';
import { validateAccountFields } from './account-fields';
import { validateBirthDate, BIRTH_DATE_ERRORS } from './birth-date';
import { validateCitizenCategory, CATEGORY_ERRORS, type CitizenCategory } from './category';
import { CONSENT_ERRORS } from './consent';
import { EMAIL_ERRORS } from './email';
import { validateIdNumber, ID_NUMBER_ERRORS } from './id-number';
import { normaliseIdNumber } from './national-id';
import { validateName, NAME_ERRORS } from './name';
import { PASSWORD_CONFIRM_ERRORS, PASSWORD_ERRORS } from './password';
import { validatePhone, PHONE_ERRORS } from './phone';
import { fail, ok, type FieldResult } from './result';

/** Field ids in the order of the seed's form; a field's name, id and error href are this string. */
export const REGISTRATION_FIELDS = [
  'category',
  'name',
  'idNumber',
  'birthDate',
  'phone',
  'address',
  'password',
  'passwordConfirm',
  'email1',
  'email2',
  'consent',
] as const;
export type RegistrationField = (typeof REGISTRATION_FIELDS)[number];

/**
 * The fields whose entered values are shown again: everything but the passwords (and the PIN, never posted here).
 * The consent box too: a tick the applicant gave stays given while they correct another field.
 */
export const KEPT_FIELDS = [
  'category',
  'name',
  'idNumber',
  'birthDate',
  'phone',
  'address',
  'email1',
  'email2',
  'consent',
] as const;
export type KeptField = (typeof KEPT_FIELDS)[number];
export type RegistrationValues = Record<KeptField, string>;

export const CITIZEN_ID_NUMBER_ERRORS = [...ID_NUMBER_ERRORS, 'business_id_not_allowed'] as const;

/** Every reason code each field can give; each has a message validation.<field>.<code> in both locale files. */
export const REGISTRATION_ERROR_CODES = {
  category: CATEGORY_ERRORS,
  name: NAME_ERRORS,
  idNumber: CITIZEN_ID_NUMBER_ERRORS,
  birthDate: BIRTH_DATE_ERRORS,
  phone: PHONE_ERRORS,
  address: ADDRESS_ERRORS,
  password: PASSWORD_ERRORS,
  passwordConfirm: PASSWORD_CONFIRM_ERRORS,
  email1: EMAIL_ERRORS,
  email2: EMAIL_ERRORS.filter((c) => c !== 'required') as Exclude<(typeof EMAIL_ERRORS)[number], 'required'>[],
  consent: CONSENT_ERRORS,
} as const satisfies Record<RegistrationField, readonly string[]>;

export type RegistrationError = {
  [F in RegistrationField]: { field: F; code: (typeof REGISTRATION_ERROR_CODES)[F][number] };
}[RegistrationField];

export type RegistrationDetails = {
  category: CitizenCategory;
  /** Normalised (see normaliseName): compared with the certificate CN for 個人. */
  name: string;
  /** Upper-case, half-width: a national ID or a resident certificate number. */
  idNumber: string;
  idKind: 'national' | 'resident';
  /** ISO YYYY-MM-DD. */
  birthDate: string;
  /** Canonical, e.g. "0912-345-678" or "(02)2345-6789#123". */
  phone: string;
  address: string;
  /** As typed; to be hashed, never stored or logged. */
  password: string;
  email1: string;
  email2: string | null;
  /** The version of the 個資蒐集告知 the applicant agreed to (PERSONAL_DATA_NOTICE_VERSION). */
  personalDataNotice: string;
};

export type RegistrationResult =
  { ok: true; value: RegistrationDetails } | { ok: false; errors: RegistrationError[]; values: RegistrationValues };

/**
 * The ID number field on the citizen page: a national ID or a resident certificate number. A valid 統一編號 gets its
 * own reason, because the answer is not "wrong number" but "companies register with a 工商憑證".
 */
export function validateCitizenIdNumber(
  input: string,
): FieldResult<{ kind: 'national' | 'resident'; value: string }, (typeof CITIZEN_ID_NUMBER_ERRORS)[number]> {
  const r = validateIdNumber(input);
  if (!r.ok) return r;
  if (r.value.kind === 'business') return fail('business_id_not_allowed');
  return ok({ kind: r.value.kind, value: r.value.value });
}

/** A form field as a string: a missing or non-string value is empty; a field posted twice counts once (the first). */
function field(body: unknown, name: string): string {
  if (!body || typeof body !== 'object') return '';
  const v = (body as Record<string, unknown>)[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : '';
}

/** `today` is Taiwan's current date as YYYY-MM-DD (taiwanDate(now)); the birth date may not be after it. */
export function validateRegistrationDetails(body: unknown, options: { today: string }): RegistrationResult {
  const raw = Object.fromEntries(REGISTRATION_FIELDS.map((f) => [f, field(body, f)])) as Record<
    RegistrationField,
    string
  >;
  const errors: RegistrationError[] = [];

  const category = validateCitizenCategory(raw.category);
  if (!category.ok) errors.push({ field: 'category', code: category.error });
  const name = validateName(raw.name);
  if (!name.ok) errors.push({ field: 'name', code: name.error });
  const id = validateCitizenIdNumber(raw.idNumber);
  if (!id.ok) errors.push({ field: 'idNumber', code: id.error });
  const birthDate = validateBirthDate(raw.birthDate, options.today);
  if (!birthDate.ok) errors.push({ field: 'birthDate', code: birthDate.error });
  const phone = validatePhone(raw.phone);
  if (!phone.ok) errors.push({ field: 'phone', code: phone.error });
  const address = validateAddress(raw.address);
  if (!address.ok) errors.push({ field: 'address', code: address.error });
  // Even when the ID number itself is wrong, a password containing what was typed is refused now, not next round.
  const typedId = normaliseIdNumber(raw.idNumber);
  // Every broken password rule at once: the summary lists each, the field shows them together. The consent is
  // asked on either path.
  const account = validateAccountFields(
    raw,
    id.ok ? id.value.value : typedId.length >= 8 ? typedId : undefined,
    errors,
  );

  if (!category.ok || !name.ok || !id.ok || !birthDate.ok || !phone.ok || !address.ok || !account) {
    const values = Object.fromEntries(KEPT_FIELDS.map((f) => [f, raw[f]])) as RegistrationValues;
    return { ok: false, errors, values };
  }
  return {
    ok: true,
    value: {
      category: category.value,
      name: name.value,
      idNumber: id.value.value,
      idKind: id.value.kind,
      birthDate: birthDate.value,
      phone: phone.value,
      address: address.value,
      ...account,
    },
  };
}
