// An operator unbinds a certificate from an account: the row stays as history with the reason, and the audit trail
// says who did it. One transaction, on the account row locked, so a second operator acting at once sees the result.
import type { Pool } from '../db/pool';
import { accountsRepository, type Account } from '../db/accounts-repository';
import { certificatesRepository, type BoundCertificate } from '../db/certificates-repository';
import { auditRepository } from '../db/audit-repository';
import { withTransaction } from '../db/transaction';
import { operatorActorLabel, type OperatorActor } from './operator-audit';

export type UnbindOutcome =
  | { ok: true }
  | { ok: false; refusal: 'gone'; account: Account }
  | { ok: false; refusal: 'certificateNotBound'; account: Account };

export async function unbindCertificate(
  pool: Pool,
  input: { operator: OperatorActor; account: Account; certificate: BoundCertificate; reason: string; now: Date },
): Promise<UnbindOutcome> {
  const { operator, account, certificate: cert, reason, now } = input;
  return withTransaction(pool, async (client): Promise<UnbindOutcome> => {
    const locked = await accountsRepository(client).findByIdForUpdate(account.id);
    if (!locked) return { ok: false, refusal: 'gone', account };
    // Nothing was written yet, so ending the transaction here changes nothing.
    if (!(await certificatesRepository(client).unbind(cert.id, reason, now)))
      return { ok: false, refusal: 'certificateNotBound', account: locked };
    await auditRepository(client).append(
      {
        actorAccountId: operator.accountId,
        actorLabel: operatorActorLabel(operator),
        action: 'certificate.unbind',
        subjectAccountId: account.id,
        reason,
        details: {
          certificateId: cert.id,
          issuerDn: cert.issuerDn,
          serialHex: cert.serialHex,
          fingerprintSha256: cert.fingerprintSha256,
        },
      },
      now,
    );
    return { ok: true };
  });
}
