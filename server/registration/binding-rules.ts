// Whether a card may be bound to the account being registered: each refusal its own reason (DESIGN.md §3).
import type { Db } from '../db/pool';
import { accountsRepository, type AccountStatus } from '../db/accounts-repository';
import { certificatesRepository } from '../db/certificates-repository';
import type { CertificateIdentity } from '../auth/certificate-identity';
import type { CitizenCategory } from '../forms/category';
import type { RegistrationDetails } from '../forms/registration';
import { sameName } from '../forms/name';

export type BindingRefusal =
  'id_last4_mismatch' | 'name_mismatch' | 'id_already_registered' | 'certificate_already_registered';

export type Applicant = Pick<RegistrationDetails, 'category' | 'name' | 'idNumber'>;

/** The rules that need no database: the card belongs to the person typed in the form. */
export function cardMismatch(applicant: Applicant, identity: CertificateIdentity): BindingRefusal | undefined {
  // MOICA puts the last four digits of the holder's ID number in subjectDirectoryAttributes (DESIGN.md §3).
  if (!identity.idLast4 || identity.idLast4 !== applicant.idNumber.slice(-4)) return 'id_last4_mismatch';
  // A customs specialist may register a contact name that is not the card holder's; a 個人 may not.
  if (applicant.category === 'individual' && !sameName(identity.subjectCn, applicant.name)) return 'name_mismatch';
  return undefined;
}

/** Every binding rule. The database reads give the early, readable answer; the unique constraints still decide a race. */
export async function bindingRefusal(
  db: Db,
  applicant: Applicant,
  identity: CertificateIdentity,
): Promise<BindingRefusal | undefined> {
  const mismatch = cardMismatch(applicant, identity);
  if (mismatch) return mismatch;
  if (await accountsRepository(db).existsByIdNumber(applicant.idNumber)) return 'id_already_registered';
  const certificates = certificatesRepository(db);
  if (
    (await certificates.findByFingerprint(identity.fingerprintSha256)) ||
    (await certificates.findActiveByIssuerSerial(identity.issuerDn, identity.serialHex))
  ) {
    return 'certificate_already_registered';
  }
  return undefined;
}

/** 個人 can log in at once; an operator approves a 報關專責人員 first (DESIGN.md §6). */
export function initialStatus(category: CitizenCategory): AccountStatus {
  return category === 'individual' ? 'active' : 'pending_review';
}
