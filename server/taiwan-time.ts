// Taiwan time, the one definition for pages, forms and queries: UTC+8 all year (no daylight saving since 1979).

/** The zone name for PostgreSQL's AT TIME ZONE. */
export const TAIWAN_TIME_ZONE = 'Asia/Taipei';

const TAIWAN_OFFSET_MS = 8 * 3600_000;

/** The calendar date in Taiwan at the given instant, YYYY-MM-DD. */
export function taiwanDate(at: Date): string {
  return new Date(at.getTime() + TAIWAN_OFFSET_MS).toISOString().slice(0, 10);
}

/** The start of a Taiwan calendar day (YYYY-MM-DD) as an instant. */
export function taiwanDayStart(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`);
}

/** 2026-11-27 13:05 in Taiwan time, for tables; empty for no date. */
export function formatTaiwanTime(date: Date | null | undefined): string {
  if (!date) return '';
  return new Date(date.getTime() + TAIWAN_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
