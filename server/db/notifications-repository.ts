// The e-mails the portal owes an account (migrations/010): queued in the transaction of what they tell, claimed by one
// portal process, then marked sent, failed or not sent.
import type { Db } from './pool';

export type NotificationKind = 'registration_received' | 'account_approved' | 'account_rejected' | 'account_suspended';
export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'not_sent';

export interface Notification {
  id: number;
  accountId: number;
  kind: NotificationKind;
  reason: string | null;
  status: NotificationStatus;
  attempts: number;
  messageId: string | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

interface NotificationRow {
  id: number;
  account_id: number;
  kind: NotificationKind;
  reason: string | null;
  status: NotificationStatus;
  attempts: number;
  message_id: string | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
}

const COLUMNS =
  'id, account_id, kind, reason, status, attempts, message_id, last_error, created_at, updated_at, sent_at';

function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    accountId: row.account_id,
    kind: row.kind,
    reason: row.reason,
    status: row.status,
    attempts: row.attempts,
    messageId: row.message_id,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
  };
}

/** When a queued mail counts as due again: see notificationsRepository().claimDue. */
export interface DuePolicy {
  maxAttempts: number;
  /** A failed mail waits this long before its second try, twice as long before its third, and so on. */
  retryDelayMs: number;
  /** A mail still pending or sending after this long was left by a process that stopped: it is tried again. */
  staleAfterMs: number;
}

export function notificationsRepository(db: Db) {
  return {
    async enqueue(
      notification: { accountId: number; kind: NotificationKind; reason?: string | null },
      now: Date,
    ): Promise<number> {
      const { rows } = await db.query<{ id: number }>(
        `INSERT INTO notifications (account_id, kind, reason, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         RETURNING id`,
        [notification.accountId, notification.kind, notification.reason ?? null, now],
      );
      return rows[0]!.id;
    },
    /** Claims one queued mail for sending; undefined when another process has it, or it is done. */
    async claim(id: number, now: Date): Promise<Notification | undefined> {
      const { rows } = await db.query<NotificationRow>(
        `UPDATE notifications SET status = 'sending', attempts = attempts + 1, updated_at = $2
         WHERE id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
        [id, now],
      );
      return rows[0] && toNotification(rows[0]);
    },
    /**
     * Claims the mails due for another try: failed ones below the attempt limit whose wait is over, and pending or
     * sending ones left behind by a process that stopped. SKIP LOCKED: two portal processes never claim the same one.
     */
    async claimDue(now: Date, policy: DuePolicy, limit = 20): Promise<Notification[]> {
      const { rows } = await db.query<NotificationRow>(
        `UPDATE notifications SET status = 'sending', attempts = attempts + 1, updated_at = $1::timestamptz
         WHERE id IN (
           SELECT id FROM notifications
           WHERE (status = 'failed' AND attempts < $2
                  AND updated_at <= $1::timestamptz - make_interval(secs => $3::double precision * power(2, attempts - 1)))
              OR (status IN ('pending', 'sending') AND updated_at <= $1::timestamptz - make_interval(secs => $4::double precision))
           ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED)
         RETURNING ${COLUMNS}`,
        [now, policy.maxAttempts, policy.retryDelayMs / 1000, policy.staleAfterMs / 1000, limit],
      );
      return rows.map(toNotification).sort((a, b) => a.id - b.id);
    },
    async markSent(id: number, messageId: string | null, now: Date): Promise<void> {
      await db.query(
        `UPDATE notifications SET status = 'sent', message_id = $2, last_error = NULL, updated_at = $3, sent_at = $3
         WHERE id = $1`,
        [id, messageId, now],
      );
    },
    async markFailed(id: number, error: string, now: Date): Promise<void> {
      await db.query(`UPDATE notifications SET status = 'failed', last_error = $2, updated_at = $3 WHERE id = $1`, [
        id,
        error,
        now,
      ]);
    },
    /** No mail server is configured: the mail went to the log, and is not tried again. */
    async markNotSent(id: number, now: Date): Promise<void> {
      await db.query(`UPDATE notifications SET status = 'not_sent', updated_at = $2 WHERE id = $1`, [id, now]);
    },
    async findById(id: number): Promise<Notification | undefined> {
      const { rows } = await db.query<NotificationRow>(`SELECT ${COLUMNS} FROM notifications WHERE id = $1`, [id]);
      return rows[0] && toNotification(rows[0]);
    },
    async listForAccount(accountId: number, limit = 20): Promise<Notification[]> {
      const { rows } = await db.query<NotificationRow>(
        `SELECT ${COLUMNS} FROM notifications WHERE account_id = $1 ORDER BY id DESC LIMIT $2`,
        [accountId, limit],
      );
      return rows.map(toNotification);
    },
  };
}
