import { organisationIdOfAccountKey } from './db/organisation-accounts-repository';

/** An ID number as shown to people who need not see it all: A12****789. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 6) return '*'.repeat(idNumber.length);
  return `${idNumber.slice(0, 3)}${'*'.repeat(idNumber.length - 6)}${idNumber.slice(-3)}`;
}

/**
 * An account's id as pages show it: a person's ID number masked; an organisation account's key
 * (`<category>:<統一編號 or 機關代碼>`) as the organisation's number in full, which is public (商工登記), not personal.
 */
export function displayAccountId(idNumber: string): string {
  return organisationIdOfAccountKey(idNumber) ?? maskIdNumber(idNumber);
}
