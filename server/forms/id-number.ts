// 身分證號或統一編號: one field of the seed's form that takes a national ID, a resident certificate number (new or old
// format) or a 統一編號. Which one it is decides the account's kind; on the citizen page a 統一編號 is refused by the
// form (companies register with a business certificate), not here.
import { validateBusinessId } from './business-id';
import { normaliseIdNumber, validateNationalId } from './national-id';
import { validateResidentId } from './resident-id';
import { fail, ok, type FieldResult } from './result';

export const ID_NUMBER_ERRORS = ['required', 'format', 'checksum'] as const;
export type IdNumberError = (typeof ID_NUMBER_ERRORS)[number];
export type IdNumberKind = 'national' | 'resident' | 'business';
export type IdNumber = { kind: IdNumberKind; value: string };

export function validateIdNumber(input: string): FieldResult<IdNumber, IdNumberError> {
  const id = normaliseIdNumber(input);
  if (id === '') return fail('required');
  // Each format is told apart by its shape, so the first one whose shape matches decides the reason.
  if (/^[A-Z][12]\d{8}$/.test(id)) {
    const r = validateNationalId(id);
    return r.ok ? ok({ kind: 'national', value: r.value }) : fail(r.error);
  }
  if (/^[A-Z][89A-D]\d{8}$/.test(id)) {
    const r = validateResidentId(id);
    return r.ok ? ok({ kind: 'resident', value: r.value.value }) : fail(r.error);
  }
  if (/^\d{8}$/.test(id)) {
    const r = validateBusinessId(id);
    return r.ok ? ok({ kind: 'business', value: r.value }) : fail(r.error);
  }
  return fail('format');
}
