// 營利事業統一編號 (8 digits). Check: weights 1,2,1,2,1,2,4,1; add the digits of each product; the total must be a
// multiple of 5 (Ministry of Finance rule for numbers issued from 2023, when the multiple-of-10 numbers ran short;
// every older number, a multiple of 10, is also a multiple of 5). When the 7th digit is 7, its product 28 gives
// 2+8 = 10, which counts as either 1 or 0: the number is valid if either total passes.
import { compactCode, fail, ok, type FieldResult } from './result';

export const BUSINESS_ID_ERRORS = ['required', 'format', 'checksum'] as const;
export type BusinessIdError = (typeof BUSINESS_ID_ERRORS)[number];

const WEIGHTS = [1, 2, 1, 2, 1, 2, 4, 1] as const;

function digitSum(n: number): number {
  return Math.floor(n / 10) + (n % 10);
}

export function businessIdChecksumValid(id: string, divisor: 5 | 10 = 5): boolean {
  if (!/^\d{8}$/.test(id)) return false;
  const digits = Array.from(id, Number);
  // The 7th-digit product 28 contributes 10 here; the alternative reading (1 or 0) is tried below.
  const sum = digits.reduce((acc, d, i) => acc + digitSum(d * WEIGHTS[i]!), 0);
  if (sum % divisor === 0) return true;
  // Read as 1 the 7th position gives sum - 9; read as 0 it gives sum - 10, which has the remainder already tested.
  return digits[6] === 7 && (sum - 9) % divisor === 0;
}

export function validateBusinessId(input: string): FieldResult<string, BusinessIdError> {
  const id = compactCode(input);
  if (id === '') return fail('required');
  if (!/^\d{8}$/.test(id)) return fail('format');
  if (!businessIdChecksumValid(id)) return fail('checksum');
  return ok(id);
}
