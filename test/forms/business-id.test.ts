import t from 'tap';
import { businessIdChecksumValid, validateBusinessId } from '../../server/forms/business-id';

t.test('valid 統一編號 are accepted', async (t) => {
  const table: Array<[string, string, string]> = [
    ['04595257', '04595257', 'sum 40: a multiple of 10'],
    ['22099131', '22099131', 'sum 30'],
    ['53212539', '53212539', 'sum 30'],
    ['04595252', '04595252', 'sum 35: valid only under the 2023 multiple-of-5 rule'],
    ['10458575', '10458575', '7th digit 7, sum 30 when 28 counts as 10 (or 0)'],
    ['12345675', '12345675', '7th digit 7, sum 30 only when 28 counts as 1'],
    ['10458574', '10458574', '7th digit 7, sum 20 only when 28 counts as 1'],
    ['12345670', '12345670', '7th digit 7, sum 25 when 28 counts as 1: multiple of 5 only'],
    [' ０４５９５２５７ ', '04595257', 'full-width digits and spaces'],
  ];
  for (const [input, value, why] of table) t.same(validateBusinessId(input), { ok: true, value }, `${input}: ${why}`);
});

t.test('invalid 統一編號 are refused with the reason', async (t) => {
  const table: Array<[string, string]> = [
    ['', 'required'],
    ['0459525', 'format'],
    ['045952570', 'format'],
    ['0459525A', 'format'],
    ['04595258', 'checksum'],
    ['04595250', 'checksum'],
    ['12345678', 'checksum'], // 7th digit 7 but neither reading passes
    ['10458576', 'checksum'],
  ];
  for (const [input, error] of table) t.same(validateBusinessId(input), { ok: false, error }, input);
});

t.test('the pre-2023 rule (multiple of 10) is stricter than the current one', async (t) => {
  t.equal(businessIdChecksumValid('04595252', 10), false);
  t.equal(businessIdChecksumValid('04595252', 5), true);
  t.equal(businessIdChecksumValid('04595257', 10), true);
  t.equal(businessIdChecksumValid('12345675', 10), true);
  t.equal(businessIdChecksumValid('12345670', 10), false);
});

t.test('the checksum agrees with a literal reading of the rule on every sampled number', async (t) => {
  // The rule as printed: products' digit sums added; at the 7th position, 28 → 10 is read as 1 or as 0.
  const reference = (id: string): boolean => {
    const w = [1, 2, 1, 2, 1, 2, 4, 1];
    const parts = [...id].map((c, i) => {
      const p = Number(c) * w[i]!;
      return Math.floor(p / 10) + (p % 10);
    });
    const sums =
      parts[6] === 10
        ? [1, 0].map((x) => parts.reduce((a, b, i) => a + (i === 6 ? x : b), 0))
        : [parts.reduce((a, b) => a + b, 0)];
    return sums.some((s) => s % 5 === 0);
  };
  let n = 0;
  for (let i = 0; i < 100_000_000; i += 9_973) {
    const id = String(i).padStart(8, '0');
    if (businessIdChecksumValid(id) !== reference(id)) t.fail(id);
    n++;
  }
  t.ok(n > 10_000, `${n} numbers compared`);
});
