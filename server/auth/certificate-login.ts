// Who a verified certificate logs in as (DESIGN.md §3): the account bound to it, or a renewal offer.
import type { Db } from '../db/pool';
import { accountsRepository, type Account } from '../db/accounts-repository';
import { certificatesRepository, type BoundCertificate } from '../db/certificates-repository';
import type { CertificateIdentity } from './certificate-identity';
import { sameName } from '../forms/name';
import { organisationIdOf } from './bind-certificate';
import { organisationAccountsRepository } from '../db/organisation-accounts-repository';

/** An account a certificate is bound to, with that binding's row (the session names it). */
export interface CertificateBinding {
  account: Account;
  certificate: BoundCertificate;
}

export type CertificateLoginOutcome =
  /**
   * The accounts the certificate is bound to: one, or (a company's card that registered in several categories) one
   * per category of its organisation, in the order they were bound: the holder chooses which one to log in as.
   */
  | { kind: 'bound'; bindings: CertificateBinding[] }
  /**
   * A new card of a bound one's holder: a citizen's renewed card (one account), or a company's new card, whose
   * 統一編號 may have an account in several categories: the holder chooses which one the card joins.
   */
  | { kind: 'renewal'; accounts: Account[] }
  | { kind: 'unknown' };

export async function findAccountForCertificate(
  db: Db,
  identity: CertificateIdentity,
): Promise<CertificateLoginOutcome> {
  const certificates = certificatesRepository(db);
  const bound = (await certificates.listActiveByIssuerSerial(identity.issuerDn, identity.serialHex)).filter(
    (c) => c.fingerprintSha256 === identity.fingerprintSha256,
  );
  const bindings: CertificateBinding[] = [];
  for (const certificate of bound) {
    const account = await accountsRepository(db).findById(certificate.accountId);
    if (account) bindings.push({ account, certificate });
  }
  if (bindings.length > 0) return { kind: 'bound', bindings };
  // A renewed card: a new certificate with the same ID last-4 and holder name as a bound one.
  if (identity.idLast4) {
    const candidates = await certificates.listActiveByIdLast4(identity.idLast4);
    const matching = candidates.filter((c) => sameName(c.subjectCn, identity.subjectCn));
    const accountIds = new Set(matching.map((c) => c.accountId));
    if (accountIds.size === 1) {
      const account = await accountsRepository(db).findById(matching[0].accountId);
      if (account && account.idNumber.slice(-4) === identity.idLast4) return { kind: 'renewal', accounts: [account] };
    }
  }
  // A company's or agency's new card (renewed, or another card of it): the same 統一編號 (機關代碼) as a bound card of
  // an organisation account, from the same kind of CA; one account per category it registered in.
  const organisationId = organisationIdOf(identity);
  if (organisationId) {
    const candidates = await certificates.listActiveByOrganisationId(organisationId);
    const kind = identity.organisation?.issuerKind === 'configured' ? 'customs' : identity.organisation?.issuerKind;
    const accounts: Account[] = [];
    for (const accountId of new Set(candidates.map((c) => c.accountId))) {
      const org = await organisationAccountsRepository(db).findByAccountId(accountId);
      if (!org || org.organisationId !== organisationId || org.certificateKind !== kind) continue;
      const account = await accountsRepository(db).findById(accountId);
      if (account) accounts.push(account);
    }
    if (accounts.length > 0) return { kind: 'renewal', accounts };
  }
  return { kind: 'unknown' };
}

export type AccountRefusal = 'account_pending' | 'account_suspended' | 'account_rejected';

/**
 * Why an account may not log in at all, by any method. Password failures are not among the reasons: they lock the
 * password (server/auth/lockout.ts), never the card, which proves possession by itself.
 */
export function refusalFor(account: Account): AccountRefusal | undefined {
  if (account.status === 'pending_review') return 'account_pending';
  if (account.status === 'suspended') return 'account_suspended';
  if (account.status === 'rejected') return 'account_rejected';
  return undefined;
}
