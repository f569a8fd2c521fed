// 出生年月日: Gregorian (1980-05-17, 1980/5/17, 19800517, 1980年5月17日) or 民國 year (69/05/17, 069-05-17, 0690517,
// 民國69年5月17日; 民國 year = Gregorian year - 1911). A year of 1–3 digits is a 民國 year, 4 digits Gregorian.
// Stored as ISO YYYY-MM-DD. "Today" is passed in (Taiwan's date), never read from the clock here.
import { fail, ok, toHalfWidth, type FieldResult } from './result';

export const BIRTH_DATE_ERRORS = ['required', 'format', 'invalid_date', 'in_future', 'too_early'] as const;
export type BirthDateError = (typeof BIRTH_DATE_ERRORS)[number];

const ROC_OFFSET = 1911;
const EARLIEST = '1900-01-01';

function isoDate(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const d = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear keeps the year as given.
  d.setUTCFullYear(year);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

type Parsed = { year: number; month: number; day: number };

// 民國 0 does not exist (the year before 民國1年 is 民國前1年), so it parses as nothing.
function rocYear(text: string): number | undefined {
  const y = Number(text);
  return y >= 1 ? y + ROC_OFFSET : undefined;
}

function parsed(year: number | undefined, month: string, day: string): Parsed | undefined {
  return year === undefined ? undefined : { year, month: Number(month), day: Number(day) };
}

function parse(text: string): Parsed | undefined {
  let m = /^(民國|民国)?\s*(\d{1,4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$/.exec(text);
  if (m) {
    if (m[2]!.length === 4) return m[1] ? undefined : parsed(Number(m[2]), m[3]!, m[4]!); // 民國 + 4-digit year: a contradiction
    return parsed(rocYear(m[2]!), m[3]!, m[4]!);
  }
  m = /^(\d{1,4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(text);
  if (m) {
    return parsed(m[1]!.length === 4 ? Number(m[1]) : rocYear(m[1]!), m[3]!, m[4]!);
  }
  // Compact forms used on Taiwanese government forms: YYYYMMDD and the 7-digit 民國 yyyMMdd.
  if (/^\d{8}$/.test(text)) return parsed(Number(text.slice(0, 4)), text.slice(4, 6), text.slice(6));
  if (/^\d{7}$/.test(text)) return parsed(rocYear(text.slice(0, 3)), text.slice(3, 5), text.slice(5));
  return undefined;
}

/** `today` is the current date in Taiwan as YYYY-MM-DD (taiwanDate in server/taiwan-time.ts). */
export function validateBirthDate(input: string, today: string): FieldResult<string, BirthDateError> {
  const text = toHalfWidth(input).trim();
  if (text === '') return fail('required');
  const date = parse(text);
  if (!date) return fail('format');
  const iso = isoDate(date.year, date.month, date.day);
  if (!iso) return fail('invalid_date');
  if (iso < EARLIEST) return fail('too_early');
  if (iso > today) return fail('in_future');
  return ok(iso);
}
