// The accounts list's GET form: filters, search, sort and cursor, read from the query string and written back into links.
import type { FastifyRequest } from 'fastify';
import type { FieldError } from '../../plugins/views';
import type { AccountCategory, AccountStatus } from '../../db/accounts-repository';
import {
  ACCOUNT_CATEGORIES,
  ACCOUNT_STATUSES,
  type AccountCursor,
  type AccountFilter,
  type SortOrder,
} from '../../db/admin-accounts-repository';
import { parseDay } from './shared';
import { parseReference } from '../../registration/reference';

export const SEARCH_MAX = 100;

export interface ListQuery {
  filter: AccountFilter;
  sort: SortOrder;
  after?: AccountCursor;
  before?: AccountCursor;
  /** What the form shows back, as typed. */
  values: Record<'status' | 'category' | 'from' | 'to' | 'q' | 'sort', string>;
  errors: FieldError[];
}

// timestamptz as PostgreSQL writes it: 2026-10-01 00:00:00.000001+08 (the offset may carry minutes and seconds).
const PG_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?[+-](\d{2})(?::(\d{2}))?(?::(\d{2}))?$/;

/**
 * Whether a cursor's time is one PostgreSQL wrote: the shape alone lets 2026-13-45 99:99:99+08 or year 0000 through,
 * which PostgreSQL refuses with an error instead of a page.
 */
export function isPostgresTimestamp(raw: string): boolean {
  const match = PG_TIMESTAMP.exec(raw);
  if (!match || !parseDay(match[1])) return false;
  const [hour, minute, second, offsetHours, offsetMinutes, offsetSeconds] = match
    .slice(2)
    .map((part) => Number(part ?? 0));
  // PostgreSQL takes offsets up to 15:59:59.
  return hour < 24 && minute < 60 && second < 60 && offsetHours <= 15 && offsetMinutes < 60 && offsetSeconds < 60;
}

export function encodeCursor(cursor: AccountCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/** A cursor from a link; anything else (edited, truncated) is no cursor at all. */
export function decodeCursor(raw: unknown): AccountCursor | undefined {
  if (typeof raw !== 'string' || raw.length > 200) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      isPostgresTimestamp(value[0]) &&
      Number.isSafeInteger(value[1]) &&
      value[1] > 0
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // falls through: not a cursor
  }
  return undefined;
}

function text(raw: unknown): string {
  return typeof raw === 'string' ? raw.trim() : '';
}

/** Dates typed as 2026/11/27 in a browser without a date picker count too. */
function day(raw: string): string | undefined {
  return parseDay(raw.replace(/\//g, '-'));
}

/** The list's filters from the query string, or from a form body (the CSV export is a POST). */
export function readListQuery(request: FastifyRequest, source: unknown = request.query): ListQuery {
  const query = (source ?? {}) as Record<string, unknown>;
  const values = {
    status: text(query.status),
    category: text(query.category),
    from: text(query.from),
    to: text(query.to),
    q: text(query.q).slice(0, SEARCH_MAX),
    sort: text(query.sort) === 'oldest' ? 'oldest' : 'newest',
  };
  const errors: FieldError[] = [];
  const filter: AccountFilter = {};
  if ((ACCOUNT_STATUSES as readonly string[]).includes(values.status)) filter.status = values.status as AccountStatus;
  if ((ACCOUNT_CATEGORIES as readonly string[]).includes(values.category))
    filter.category = values.category as AccountCategory;
  if (values.from) {
    const from = day(values.from);
    if (from) filter.from = from;
    else errors.push({ href: '#from', text: request.t('admin.list.errors.fromInvalid') });
  }
  if (values.to) {
    const to = day(values.to);
    if (to) filter.to = to;
    else errors.push({ href: '#to', text: request.t('admin.list.errors.toInvalid') });
  }
  if (filter.from && filter.to && filter.from > filter.to) {
    errors.push({ href: '#to', text: request.t('admin.list.errors.toBeforeFrom') });
    delete filter.to;
  }
  if (values.q) {
    filter.q = values.q;
    // A 申請編號 read out over the phone may come typed in lower case or with O for 0: it is found all the same.
    const reference = parseReference(values.q);
    if (reference) filter.reference = reference;
  }
  const before = decodeCursor(query.before);
  const after = before ? undefined : decodeCursor(query.after);
  return { filter, sort: values.sort as SortOrder, after, before, values, errors };
}

/** The query string for the same filters (no cursor), plus extra parameters. */
export function filterQueryString(values: ListQuery['values'], extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...values, ...extra })) {
    if (value && !(key === 'sort' && value === 'newest')) params.set(key, value);
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
