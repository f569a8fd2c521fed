// The reason every operator action needs (DESIGN.md §6): required, at most 500 characters (code points).

export const REASON_MAX = 500;

export type ReasonResult = { ok: true; value: string } | { ok: false; error: 'required' | 'tooLong' };

export function validateReason(raw: unknown): ReasonResult {
  const value = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n').trim() : '';
  if (value === '') return { ok: false, error: 'required' };
  if ([...value].length > REASON_MAX) return { ok: false, error: 'tooLong' };
  return { ok: true, value };
}
