// The tail every registration shares, citizen or organisation: its writes inside a savepoint, then the hash-chained
// 'register' audit event and the registration's e-mail in the queue, all undone together when a write is refused.
import type { PoolClient } from 'pg';
import { auditRepository } from '../db/audit-repository';
import { notificationsRepository } from '../db/notifications-repository';

/** What a registration's own writes give: the new account and what its audit event records, or a refusal. */
export type RegistrationWrites<R, T> =
  { ok: false; reason: R } | { ok: true; accountId: number; auditDetails: Record<string, unknown>; result: T };

export type RegistrationWritten<R, T> = { ok: false; reason: R } | { ok: true; result: T; notificationId: number };

/**
 * Runs write() inside the caller's transaction under a savepoint, so that a refused registration leaves the rest of
 * the transaction (a challenge consumed on the JavaScript path) as it was. A unique violation the ON CONFLICT clauses
 * did not absorb is the race of two browsers on one certificate: raceReason. (Not a reference drawn by two
 * registrations in the same instant: too rare to word, it stays an error.)
 */
export async function writeRegistration<R, T>(
  client: PoolClient,
  now: Date,
  raceReason: R,
  write: () => Promise<RegistrationWrites<R, T>>,
): Promise<RegistrationWritten<R, T>> {
  await client.query('SAVEPOINT registration');
  const undo = async (reason: R): Promise<RegistrationWritten<R, T>> => {
    await client.query('ROLLBACK TO SAVEPOINT registration');
    return { ok: false, reason };
  };
  try {
    const written = await write();
    if (!written.ok) return await undo(written.reason);
    const { accountId } = written;
    await auditRepository(client).append(
      {
        actorAccountId: accountId,
        actorLabel: `account:${accountId}`,
        action: 'register',
        subjectAccountId: accountId,
        details: written.auditDetails,
      },
      now,
    );
    // The registration's e-mail is owed from the same commit; it is sent after it (server/notify/).
    const notificationId = await notificationsRepository(client).enqueue(
      { accountId, kind: 'registration_received' },
      now,
    );
    await client.query('RELEASE SAVEPOINT registration');
    return { ok: true, result: written.result, notificationId };
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint !== 'accounts_reference_key') return undo(raceReason);
    throw error;
  }
}
