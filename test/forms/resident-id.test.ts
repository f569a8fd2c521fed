import t from 'tap';
import { validateResidentId } from '../../server/forms/resident-id';

t.test('new-format resident certificate numbers (letter + 8/9 + 8 digits) are accepted', async (t) => {
  const table: Array<[string, string]> = [
    ['A800000014', 'A800000014'],
    ['A900000007', 'A900000007'],
    ['F812345676', 'F812345676'],
    ['I912345675', 'I912345675'],
    ['z800000006', 'Z800000006'],
    ['Ｆ８１２３４５６７６', 'F812345676'],
  ];
  for (const [input, value] of table) {
    t.same(validateResidentId(input), { ok: true, value: { format: 'new', value } }, input);
  }
});

t.test('old-format resident certificate numbers (two letters + 8 digits) are accepted', async (t) => {
  const table: Array<[string, string]> = [
    ['AA00000009', 'AA00000009'], // A→0 as second character
    ['AB12345677', 'AB12345677'], // B→1
    ['FC12345674', 'FC12345674'], // C→2
    ['TD00000001', 'TD00000001'], // D→3
    ['ZA23456788', 'ZA23456788'],
    ['ib00000003', 'IB00000003'],
  ];
  for (const [input, value] of table) {
    t.same(validateResidentId(input), { ok: true, value: { format: 'old', value } }, input);
  }
});

t.test('invalid resident certificate numbers are refused with the reason', async (t) => {
  const table: Array<[string, string]> = [
    ['', 'required'],
    ['A123456789', 'format'], // a national ID
    ['AE00000009', 'format'], // second letter only A–D
    ['A70000000X', 'format'],
    ['A8000000', 'format'],
    ['A800000015', 'checksum'],
    ['A900000008', 'checksum'],
    ['AA00000008', 'checksum'],
    ['AB12345678', 'checksum'],
    ['TD00000002', 'checksum'],
  ];
  for (const [input, error] of table) t.same(validateResidentId(input), { ok: false, error }, input);
});
