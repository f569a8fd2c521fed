// The portal's e-mails, sent after the transaction that queued them has committed (the outbox in
// notifications-repository). A send never runs inside a request's transaction and is never awaited by the request:
// a relay that is down or slow leaves the registration or decision done, the mail marked failed and tried again.
import type { FastifyBaseLogger } from 'fastify';
import type { Pool } from '../db/pool';
import { accountsRepository } from '../db/accounts-repository';
import { notificationsRepository, type DuePolicy, type Notification } from '../db/notifications-repository';
import { composeMail, type MailContext } from './messages';
import type { Mailer } from './mailer';

/** Three tries, 5 and then 10 minutes apart; a mail claimed 10 minutes ago and never finished is tried again. */
export const DUE_POLICY: DuePolicy = { maxAttempts: 3, retryDelayMs: 5 * 60_000, staleAfterMs: 10 * 60_000 };

/** How often the queue is looked at for mails due another try. */
export const RETRY_INTERVAL_MS = 60_000;

const ERROR_MAX = 500;

export interface Notifier {
  /** After the commit of the transaction that queued it: sends the mail in the background. Never throws. */
  dispatch(notificationId: number): void;
  /** Sends the mails due for another try; resolves with how many were tried. */
  retryDue(): Promise<number>;
  /** Resolves when no send is in flight (shutdown, tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface NotifierOptions {
  pool: Pool;
  mailer: Mailer;
  context: MailContext;
  log: FastifyBaseLogger;
  now: () => Date;
  policy?: DuePolicy;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { pool, mailer, context, log, now } = options;
  const policy = options.policy ?? DUE_POLICY;
  const repository = notificationsRepository(pool);
  const inFlight = new Set<Promise<void>>();

  async function deliver(notification: Notification): Promise<void> {
    const account = await accountsRepository(pool).findById(notification.accountId);
    const to = [account?.email1, account?.email2].filter((address): address is string => !!address);
    if (!account || to.length === 0) {
      await repository.markFailed(notification.id, 'the account has no e-mail address', now());
      return;
    }
    const content = composeMail(
      { kind: notification.kind, account, reason: notification.reason, at: notification.createdAt },
      context,
    );
    try {
      const result = await mailer.send({ ...content, to });
      if (result.kind === 'sent') {
        await repository.markSent(notification.id, result.messageId, now());
        log.info(
          { notificationId: notification.id, kind: notification.kind, messageId: result.messageId },
          'mail sent',
        );
      } else {
        await repository.markNotSent(notification.id, now());
      }
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, ERROR_MAX);
      await repository.markFailed(notification.id, message, now());
      log.warn(
        { notificationId: notification.id, kind: notification.kind, attempt: notification.attempts, error: message },
        'mail not sent: the mail relay failed',
      );
    }
  }

  function track(work: Promise<void>): Promise<void> {
    const tracked = work.catch((error) => log.error({ err: error }, 'mail could not be recorded'));
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return tracked;
  }

  return {
    dispatch(notificationId) {
      void track(
        (async () => {
          const claimed = await repository.claim(notificationId, now());
          if (claimed) await deliver(claimed);
        })(),
      );
    },
    async retryDue() {
      const due = await repository.claimDue(now(), policy);
      for (const notification of due) await track(deliver(notification));
      return due.length;
    },
    async idle() {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
    async close() {
      await this.idle();
      mailer.close();
    },
  };
}
