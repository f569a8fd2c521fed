// A renewed card (new certificate, same ID last-4 and name, valid chain) bound after the account's password: the
// password counts against the lockout like any other guess, the card is checked once more, and the binding with its
// audit event is one transaction. The old binding stays as history. The route turns the outcome into a page.
import type { Pool } from '../db/pool';
import type { Account } from '../db/accounts-repository';
import { auditRepository } from '../db/audit-repository';
import { certificatesRepository, type BoundCertificate } from '../db/certificates-repository';
import { organisationAccountsRepository } from '../db/organisation-accounts-repository';
import { withTransaction } from '../db/transaction';
import type { CardVerifier, CertificateIdentity } from './certificate-identity';
import { bindingFor } from './bind-certificate';
import { refusalFor, type AccountRefusal } from './certificate-login';
import { gateRefusal, type Lockout } from './lockout';
import { recordLoginAttempt } from './login-session';
import { verifyPassword } from './passwords';
import { recheckCard } from './verified-card';

export type RenewedCardOutcome =
  | { kind: 'held'; refusal: ReturnType<typeof gateRefusal> }
  | { kind: 'wrong_password' }
  | { kind: 'locked_now' }
  | { kind: 'refused'; refusal: AccountRefusal }
  /** The card failed its last check (revoked since it signed, say): a reason of the engine. */
  | { kind: 'card_refused'; reason: string; detail?: string }
  /** Another account bound this certificate first. */
  | { kind: 'taken' }
  | { kind: 'bound'; certificate: BoundCertificate };

export async function bindRenewedCard(
  deps: { db: Pool; lockout: Lockout; cardVerifier: CardVerifier },
  input: { account: Account; identity: CertificateIdentity; password: string; ip: string; now: Date },
): Promise<RenewedCardOutcome> {
  const { db, lockout, cardVerifier } = deps;
  const { account, identity, password, ip, now } = input;
  // The new card is not bound yet, so the password is what proves the account: guesses count like any other.
  const gate = await lockout.begin(account.idNumber, ip, now);
  if (gate.kind !== 'open') return { kind: 'held', refusal: gateRefusal(gate) };
  const check = await verifyPassword(account.passwordHash, password);
  if (!check.ok) {
    const result = await lockout.failed(gate.attempt, { accountId: account.id, via: 'rebind' }, now);
    await recordLoginAttempt(
      db,
      ip,
      {
        accountId: account.id,
        method: 'certificate',
        success: false,
        outcome: result.locked ? 'rebind_locked_now' : 'rebind_wrong_password',
      },
      now,
    );
    return result.locked ? { kind: 'locked_now' } : { kind: 'wrong_password' };
  }
  const refusal = refusalFor(account);
  if (refusal) return { kind: 'refused', refusal };
  // The card once more before it is bound: revoked since it signed means no binding and no session.
  const recheck = await recheckCard(cardVerifier, identity, now);
  if (!recheck.ok) return { kind: 'card_refused', reason: recheck.reason, detail: recheck.detail };

  const certificate = await bindInTransaction(db, account, identity, now);
  if (!certificate) return { kind: 'taken' };
  // Card and password both proven: as after a card login, the account-wide lock and this source's count end.
  await lockout.cardAccepted(account.idNumber, ip);
  return { kind: 'bound', certificate };
}

async function bindInTransaction(
  pool: Pool,
  account: Account,
  identity: CertificateIdentity,
  now: Date,
): Promise<BoundCertificate | undefined> {
  try {
    return await withTransaction(pool, async (client) => {
      const certificates = certificatesRepository(client);
      const previous = (await certificates.listForAccount(account.id)).filter((c) => c.unboundAt === null);
      // A citizen's renewed card replaces the old one; a company or agency may hold several cards (正卡, 附卡), so
      // a new one is added and the operator unbinds a card the organisation no longer uses.
      const replaces = !(await organisationAccountsRepository(client).findByAccountId(account.id));
      if (replaces) for (const old of previous) await certificates.unbind(old.id, 'renewed', now);
      const binding = await certificates.bind(bindingFor(account.id, identity), now);
      // Thrown, not returned: the old card's unbinding must roll back with the binding that did not happen.
      if (!binding) throw new CertificateTaken();
      await auditRepository(client).append(
        {
          actorAccountId: account.id,
          actorLabel: `account:${account.id}`,
          action: 'certificate.rebind',
          subjectAccountId: account.id,
          details: {
            fingerprint: identity.fingerprintSha256,
            previous: previous.map((c) => c.fingerprintSha256),
            kept: !replaces,
          },
        },
        now,
      );
      return binding;
    });
  } catch (error) {
    if (error instanceof CertificateTaken) return undefined;
    throw error;
  }
}

class CertificateTaken extends Error {}
