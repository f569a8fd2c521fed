// The password lockout, for every form that checks a password (帳號密碼登入, a renewed card's re-binding, the change of
// password). Guesses are counted per (ID number, source address):
// - each counted failure from a source makes that source wait before its next attempt is even checked, doubling from
//   LOGIN_DELAY_SECONDS up to LOGIN_DELAY_MAX_SECONDS;
// - LOGIN_MAX_FAILURES failures from one source within LOGIN_LOCKOUT_MINUTES lock that source out for that long;
// - only LOGIN_ACCOUNT_MAX_FAILURES failures from at least ACCOUNT_LOCK_MIN_SOURCES sources within the window lock the
//   password login from everywhere, so one address cannot lock the holder out from home.
// The certificate login is never refused for password failures: the card proves possession, and a card login clears
// the account-wide lock and its own source's count. An operator's 解除鎖定 clears everything.
// An attempt is counted before the password is checked (and forgotten when it was right), so parallel requests cannot
// slip past the delay. ID numbers without an account are counted the same way: the answers say nothing about which
// ID numbers are registered.
import type { Config } from '../config';
import type { Db, Pool } from '../db/pool';
import { auditRepository } from '../db/audit-repository';
import { ALL_SOURCES, loginFailuresRepository, type LoginFailures } from '../db/login-failures-repository';
import { withTransaction } from '../db/transaction';

/** Failures from fewer sources than this never lock the whole account, however many there are. */
export const ACCOUNT_LOCK_MIN_SOURCES = 3;

export interface LockoutPolicy {
  sourceMaxFailures: number;
  accountMaxFailures: number;
  windowMs: number;
  lockMs: number;
  delayBaseMs: number;
  delayMaxMs: number;
}

export function lockoutPolicy(config: Config): LockoutPolicy {
  return {
    sourceMaxFailures: config.loginMaxFailures,
    accountMaxFailures: config.loginAccountMaxFailures,
    windowMs: config.loginLockoutMinutes * 60_000,
    lockMs: config.loginLockoutMinutes * 60_000,
    delayBaseMs: config.loginDelaySeconds * 1000,
    delayMaxMs: config.loginDelayMaxSeconds * 1000,
  };
}

/** Where a password check comes from, for the audit trail. */
export type PasswordCheckVia = 'password_login' | 'rebind' | 'change_password';

/** A counted attempt that may go on to the password check. */
export interface PasswordAttempt {
  idNumber: string;
  source: string;
  /** This attempt was the source's last allowed one: if the password is wrong, the source stays locked. */
  locksSource: boolean;
  failures: number;
}

export type PasswordGate =
  | { kind: 'open'; attempt: PasswordAttempt }
  | { kind: 'wait'; seconds: number }
  | { kind: 'locked'; scope: 'source' | 'account'; until: Date; minutes: number };

/** What an operator sees: locks in force and the failures of the current window. */
export interface LockState {
  /** The latest end of a lock in force (account-wide or of a source), or null when nothing is locked. */
  lockedUntil: Date | null;
  accountLockedUntil: Date | null;
  lockedSources: number;
  /** Failures counted for the account within the window, from every source. */
  failures: number;
}

/**
 * The source key of a client address. An IPv6 client usually holds a whole /64, so its addresses count as one source;
 * an IPv4-mapped IPv6 address is its IPv4 address.
 */
export function sourceOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!ip.includes(':')) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The wait after n counted failures from one source: base, 2×base, 4×base … capped. */
export function delayAfter(failures: number, policy: LockoutPolicy): number {
  if (failures <= 0 || policy.delayBaseMs === 0) return 0;
  return Math.min(policy.delayBaseMs * 2 ** Math.min(failures - 1, 30), policy.delayMaxMs);
}

/** How a form answers an attempt the lockout refused: the status, the message key and its numbers. */
export function gateRefusal(gate: Exclude<PasswordGate, { kind: 'open' }>): {
  status: number;
  key: string;
  params: Record<string, number>;
  retryAfterSeconds: number;
} {
  if (gate.kind === 'wait')
    return {
      status: 429,
      key: 'login.errors.wait',
      params: { seconds: gate.seconds },
      retryAfterSeconds: gate.seconds,
    };
  return {
    status: 423,
    key: 'login.errors.locked',
    params: { minutes: gate.minutes },
    retryAfterSeconds: gate.minutes * 60,
  };
}

function lockedAt(row: LoginFailures | undefined, now: Date): Date | null {
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

/** The row's failures as they count now: a window that has ended (with no lock in force) starts again at zero. */
function current(row: LoginFailures, now: Date, policy: LockoutPolicy): LoginFailures {
  if (lockedAt(row, now) || row.firstFailedAt.getTime() > now.getTime() - policy.windowMs) return row;
  return { ...row, failures: 0, firstFailedAt: now, lockedUntil: null };
}

function minutesUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
}

/**
 * The decision for one attempt from a source, and the source's row after it is counted (pure: time passed in).
 * `account` is the account-wide row.
 */
export function decide(
  row: LoginFailures,
  account: LoginFailures | undefined,
  now: Date,
  policy: LockoutPolicy,
): { gate: PasswordGate; next?: LoginFailures } {
  const accountLock = lockedAt(account, now);
  if (accountLock)
    return { gate: { kind: 'locked', scope: 'account', until: accountLock, minutes: minutesUntil(accountLock, now) } };
  const sourceLock = lockedAt(row, now);
  if (sourceLock)
    return { gate: { kind: 'locked', scope: 'source', until: sourceLock, minutes: minutesUntil(sourceLock, now) } };
  const counted = current(row, now, policy);
  const waitUntil = counted.lastFailedAt.getTime() + delayAfter(counted.failures, policy);
  if (counted.failures > 0 && now.getTime() < waitUntil) {
    return { gate: { kind: 'wait', seconds: Math.max(1, Math.ceil((waitUntil - now.getTime()) / 1000)) } };
  }
  const failures = counted.failures + 1;
  const locksSource = failures >= policy.sourceMaxFailures;
  const next = {
    ...counted,
    failures,
    lastFailedAt: now,
    lockedUntil: locksSource ? new Date(now.getTime() + policy.lockMs) : null,
  };
  return {
    gate: { kind: 'open', attempt: { idNumber: row.idNumber, source: row.source, locksSource, failures } },
    next,
  };
}

export function createLockout(pool: Pool, policy: LockoutPolicy) {
  return {
    policy,

    /** Before a password is checked: refuse (wait, locked) or count this attempt and let it through. */
    async begin(idNumber: string, ip: string, now: Date): Promise<PasswordGate> {
      return withTransaction(pool, async (client) => {
        const failures = loginFailuresRepository(client);
        const row = await failures.findForUpdate(idNumber, sourceOf(ip), now);
        const { gate, next } = decide(row, await failures.find(idNumber, ALL_SOURCES), now, policy);
        if (next) await failures.update(next);
        return gate;
      });
    },

    /**
     * The password was wrong: the failure joins the account-wide tally, which locks the account only when enough
     * sources took part. Locks are audited for registered accounts. Returns what this failure locked.
     */
    async failed(
      attempt: PasswordAttempt,
      who: { accountId: number | null; via: PasswordCheckVia },
      now: Date,
    ): Promise<{ locked?: 'source' | 'account' }> {
      return withTransaction(pool, async (client) => {
        const failures = loginFailuresRepository(client);
        const tally = current(await failures.findForUpdate(attempt.idNumber, ALL_SOURCES, now), now, policy);
        const next = { ...tally, failures: tally.failures + 1, lastFailedAt: now };
        let sources = 0;
        let locksAccount = false;
        if (!lockedAt(tally, now) && next.failures >= policy.accountMaxFailures) {
          sources = await failures.countSourcesSince(attempt.idNumber, next.firstFailedAt);
          locksAccount = sources >= ACCOUNT_LOCK_MIN_SOURCES;
          if (locksAccount) next.lockedUntil = new Date(now.getTime() + policy.lockMs);
        }
        await failures.update(next);
        await failures.purgeExpired(new Date(now.getTime() - policy.windowMs), now);
        const locked = locksAccount ? 'account' : attempt.locksSource ? 'source' : undefined;
        if (locked && who.accountId !== null) {
          await auditRepository(client).append(
            {
              actorAccountId: null,
              actorLabel: 'system',
              action: 'account.locked',
              subjectAccountId: who.accountId,
              details:
                locked === 'account'
                  ? { scope: 'all_sources', failures: next.failures, sources, via: who.via }
                  : { scope: 'source', source: attempt.source, failures: attempt.failures, via: who.via },
            },
            now,
          );
        }
        return { locked };
      });
    },

    /** The password was right: this source starts again from zero (other sources keep their count). */
    async passwordAccepted(attempt: PasswordAttempt): Promise<void> {
      await loginFailuresRepository(pool).clear(attempt.idNumber, [attempt.source]);
    },

    /** A card proved possession: the account-wide lock and this source's count end. */
    async cardAccepted(idNumber: string, ip: string): Promise<void> {
      await loginFailuresRepository(pool).clear(idNumber, [ALL_SOURCES, sourceOf(ip)]);
    },

    async stateOf(db: Db, idNumber: string, now: Date): Promise<LockState> {
      return summarise(await loginFailuresRepository(db).listFor(idNumber), now, policy);
    },

    /** 解除鎖定: every count and lock of the account ends. Returns the state it had, for the audit event. */
    async unlock(db: Db, idNumber: string, now: Date): Promise<LockState> {
      const failures = loginFailuresRepository(db);
      const before = summarise(await failures.listFor(idNumber), now, policy);
      await failures.clearAll(idNumber);
      return before;
    },
  };
}

export type Lockout = ReturnType<typeof createLockout>;

function summarise(rows: LoginFailures[], now: Date, policy: LockoutPolicy): LockState {
  const account = rows.find((r) => r.source === ALL_SOURCES);
  const sourceLocks = rows
    .filter((r) => r.source !== ALL_SOURCES)
    .map((r) => lockedAt(r, now))
    .filter((d): d is Date => d !== null);
  const accountLockedUntil = lockedAt(account, now);
  const ends = [...sourceLocks, ...(accountLockedUntil ? [accountLockedUntil] : [])];
  return {
    lockedUntil: ends.length ? new Date(Math.max(...ends.map((d) => d.getTime()))) : null,
    accountLockedUntil,
    lockedSources: sourceLocks.length,
    failures: account ? current(account, now, policy).failures : 0,
  };
}
