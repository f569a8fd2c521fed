// 個資蒐集告知: the registration form's consent box. 個人資料保護法 第8條 asks the agency to tell the applicant, before it
// collects, who collects what, why, for how long, where, and the rights of 第3條; the applicant ticks that they have
// read and agree. The version names the text agreed to (views/pages/personal-data.njk), kept with the registration.
import { fail, ok, type FieldResult } from './result';

/** The date of the notice's current wording; change it whenever the wording of the notice changes. */
export const PERSONAL_DATA_NOTICE_VERSION = '2026-12-02';

export const CONSENT_ERRORS = ['required'] as const;
export type ConsentError = (typeof CONSENT_ERRORS)[number];

/** The box's value when ticked. */
export const CONSENT_VALUE = 'yes';

/** Ticked, or refused: an unticked box posts nothing, and no other value counts as agreement. */
export function validateConsent(input: string): FieldResult<string, ConsentError> {
  return input === CONSENT_VALUE ? ok(PERSONAL_DATA_NOTICE_VERSION) : fail('required');
}
