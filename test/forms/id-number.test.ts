import t from 'tap';
import { validateIdNumber } from '../../server/forms/id-number';

t.test('the ID number field tells national IDs, resident numbers and 統一編號 apart', async (t) => {
  const table: Array<[string, string, string]> = [
    ['A123456789', 'national', 'A123456789'],
    ['a123456789', 'national', 'A123456789'],
    ['A800000014', 'resident', 'A800000014'],
    ['AA00000009', 'resident', 'AA00000009'],
    ['04595257', 'business', '04595257'],
    ['12345675', 'business', '12345675'],
  ];
  for (const [input, kind, value] of table)
    t.same(validateIdNumber(input), { ok: true, value: { kind, value } }, input);
});

t.test('the ID number field gives the reason of the format the input looks like', async (t) => {
  const table: Array<[string, string]> = [
    ['', 'required'],
    ['A123456788', 'checksum'],
    ['A800000015', 'checksum'],
    ['AA00000008', 'checksum'],
    ['04595258', 'checksum'],
    ['A323456789', 'format'],
    ['AE00000009', 'format'],
    ['0459525', 'format'],
    ['王小明', 'format'],
  ];
  for (const [input, error] of table) t.same(validateIdNumber(input), { ok: false, error }, input);
});
