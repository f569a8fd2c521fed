// What the operator pages share over HTTP: the operator of a request, the reason field's errors, flash messages, the
// actor label, and parsing of days and ids from a query. The rules are server/admin/, the validators server/forms/.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionUser } from '../../plugins/session';
import type { FieldError } from '../../plugins/views';
import { REASON_MAX, type ReasonResult } from '../../forms/reason';

export type Operator = SessionUser & { role: 'operator' | 'admin' };

/** The operator behind a request; the folder's guard has already checked the role. */
export function operatorOf(request: FastifyRequest): Operator {
  return request.session.user as Operator;
}

export { operatorActorLabel as actorLabel } from '../../admin/operator-audit';

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
  if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number(raw.slice(0, 4)) < FIRST_YEAR)
    return undefined;
  const date = new Date(`${raw}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === raw ? raw : undefined;
}

export function parseId(raw: unknown): number | undefined {
  return typeof raw === 'string' && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : undefined;
}
