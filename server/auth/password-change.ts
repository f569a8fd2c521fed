// A holder's new password takes effect: the hash is stored, every other session of the account ends (whoever else
// knew the old password is out), and the audit trail records it; all in one transaction.
import type { Pool } from '../db/pool';
import { accountsRepository } from '../db/accounts-repository';
import { sessionsRepository } from '../db/sessions-repository';
import { auditRepository } from '../db/audit-repository';
import { withTransaction } from '../db/transaction';
import { hashPassword } from './passwords';

export async function changePassword(
  pool: Pool,
  input: { accountId: number; newPassword: string; keepSessionId: string; now: Date },
): Promise<void> {
  const { accountId, keepSessionId, now } = input;
  // Hashed before the transaction: argon2 takes tens of milliseconds that no row lock needs to wait for.
  const hash = await hashPassword(input.newPassword);
  await withTransaction(pool, async (client) => {
    await accountsRepository(client).setPasswordHash(accountId, hash, now);
    await sessionsRepository(client).destroyForAccount(accountId, keepSessionId);
    await auditRepository(client).append(
      {
        actorAccountId: accountId,
        actorLabel: `account:${accountId}`,
        action: 'password.change',
        subjectAccountId: accountId,
      },
      now,
    );
  });
}
