// What the operator pages share: masking, the reason field, flash messages, the actor label, date parsing, refusal rules.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionUser } from '../../plugins/session';
import type { FieldError } from '../../plugins/views';
import type { Account, AccountRole } from '../../db/accounts-repository';
import type { BoundCertificate } from '../../db/certificates-repository';
import type { CardVerifier } from '../../auth/certificate-identity';
import type { LockState } from '../../auth/lockout';

export const REASON_MAX = 500;

export type Operator = SessionUser & { role: 'operator' | 'admin' };

/** The operator behind a request; the folder's guard has already checked the role. */
export function operatorOf(request: FastifyRequest): Operator {
  return request.session.user as Operator;
}

/** 'operator:王小明' / 'admin:陳大文': who acted, readable in the audit trail. */
export function actorLabel(operator: Operator): string {
  return `${operator.role}:${operator.name}`;
}

export { maskIdNumber } from '../../mask';

export type ReasonResult = { ok: true; value: string } | { ok: false; error: 'required' | 'tooLong' };

/** Every operator action needs a reason: required, at most 500 characters (code points). */
export function validateReason(raw: unknown): ReasonResult {
  const value = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n').trim() : '';
  if (value === '') return { ok: false, error: 'required' };
  if ([...value].length > REASON_MAX) return { ok: false, error: 'tooLong' };
  return { ok: true, value };
}

export function reasonErrors(request: FastifyRequest, result: ReasonResult): FieldError[] {
  if (result.ok) return [];
  return [{ href: '#reason', text: request.t(`admin.reason.${result.error}`, { max: REASON_MAX }) }];
}

const FLASH_KEY = 'adminFlash';

export interface Flash {
  kind: 'success' | 'notice' | 'error';
  text: string;
}

/** A message for the page the next GET shows (Post/Redirect/Get). */
export function setFlash(request: FastifyRequest, flash: Flash): void {
  request.session.set(FLASH_KEY, flash);
}

export function takeFlash(request: FastifyRequest): Flash | undefined {
  const flash = request.session.get(FLASH_KEY) as Flash | undefined;
  if (flash) request.session.set(FLASH_KEY, undefined);
  return flash;
}

export function seeOther(reply: FastifyReply, url: string): FastifyReply {
  return reply.code(303).redirect(url);
}

// The portal holds nothing from before 1900. The bound matters for year 0000, which JavaScript takes as a date and
// PostgreSQL refuses (there is no year 0): it must be a field error, not a query that fails.
const FIRST_YEAR = 1900;

/** YYYY-MM-DD that is a real calendar date from 1900 on, or undefined. */
export function parseDay(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number(raw.slice(0, 4)) < FIRST_YEAR) return undefined;
  const date = new Date(`${raw}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === raw ? raw : undefined;
}

/** The start of a Taiwan calendar day (UTC+8, no daylight saving) as an instant. */
export function taiwanDayStart(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`);
}

/** Today's date in Taiwan, YYYY-MM-DD. */
export function taiwanToday(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** 2026-11-27 13:05 in Taiwan time, for tables. */
export function formatTaiwanTime(date: Date | null | undefined): string {
  if (!date) return '';
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export function parseId(raw: unknown): number | undefined {
  return typeof raw === 'string' && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * A password lock is in force now (account-wide or for one source). Failures alone are not a lock: a single wrong
 * password is not 已鎖定.
 */
export function isLocked(lock: { lockedUntil: Date | null }, now = new Date()): boolean {
  return lock.lockedUntil !== null && lock.lockedUntil > now;
}

export type AccountAction = 'approve' | 'reject' | 'suspend' | 'reactivate' | 'unlock';
export const ACCOUNT_ACTIONS: readonly AccountAction[] = ['approve', 'reject', 'suspend', 'reactivate', 'unlock'];

/** Why an operator may not act on an account at all, if they may not. */
export type ActorRefusal = 'ownAccount' | 'needsAdmin';

export function actorRefusal(operator: Operator, target: { id: number; role: AccountRole }): ActorRefusal | undefined {
  if (operator.accountId === target.id) return 'ownAccount';
  // Operators look after citizens; only an admin acts on operator and admin accounts.
  if (target.role !== 'citizen' && operator.role !== 'admin') return 'needsAdmin';
  return undefined;
}

/** Why an action does not apply to the account as it is now (an illegal transition), if it does not. */
export function transitionRefusal(action: AccountAction, account: Account, lock: LockState, now = new Date()): string | undefined {
  switch (action) {
    case 'approve':
    case 'reject':
      if (account.status !== 'pending_review') return `notPending`;
      return undefined;
    case 'suspend':
      return account.status === 'active' ? undefined : 'notActive';
    case 'reactivate':
      return account.status === 'suspended' ? undefined : 'notSuspended';
    case 'unlock':
      return isLocked(lock, now) ? undefined : 'notLocked';
  }
}

/** The status an action leads to (unlock leaves the status alone). */
export const NEXT_STATUS = {
  approve: 'active',
  reject: 'rejected',
  suspend: 'suspended',
  reactivate: 'active',
} as const;

export type RevocationState = 'not_checked' | 'good' | 'revoked' | 'unknown' | 'unavailable' | 'invalid';

/**
 * The current revocation state of a bound certificate, asked now through the portal's certificate engine (chain and
 * OCSP/CRL, with their caches). A certificate already past its validity is not asked about: the page shows that instead.
 */
export async function revocationStateFor(verifier: CardVerifier, cert: BoundCertificate, now: Date): Promise<RevocationState> {
  if (cert.notAfter < now || cert.notBefore > now) return 'not_checked';
  const check = await verifier.verifyCertificate(cert.der.toString('base64'), now);
  if (check.ok) return 'good';
  switch (check.reason) {
    case 'revoked': return 'revoked';
    case 'revocation_unknown': return 'unknown';
    case 'revocation_unavailable': return 'unavailable';
    default: return 'invalid';
  }
}
