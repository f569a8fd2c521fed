import t from 'tap';
import { idChecksumValid, LETTER_VALUES, validateNationalId } from '../../server/forms/national-id';

t.test('valid national IDs are accepted and normalised to upper-case half-width', async (t) => {
  const table: Array<[string, string]> = [
    ['A123456789', 'A123456789'],
    ['a123456789', 'A123456789'],
    ['  A123456789 ', 'A123456789'],
    ['Ａ１２３４５６７８９', 'A123456789'],
    ['ａ１２３４５６７８９', 'A123456789'],
    ['A 1234 56789', 'A123456789'],
    ['A\u3000123456789', 'A123456789'],
    ['I123456781', 'I123456781'], // I = 34, not 18
    ['O223456784', 'O223456784'], // O = 35
    ['W100000001', 'W100000001'], // W = 32
    ['Z212345670', 'Z212345670'], // Z = 33
    ['B200000004', 'B200000004'],
    ['L101010108', 'L101010108'],
    ['Y211111114', 'Y211111114'],
  ];
  for (const [input, value] of table) t.same(validateNationalId(input), { ok: true, value }, JSON.stringify(input));
});

t.test('invalid national IDs are refused with the reason', async (t) => {
  const table: Array<[string, string]> = [
    ['', 'required'],
    ['   ', 'required'],
    ['A12345678', 'format'], // 9 characters
    ['A1234567890', 'format'],
    ['A323456789', 'format'], // second digit must be 1 or 2
    ['A823456789', 'format'], // a new resident number is not a national ID
    ['1123456789', 'format'],
    ['AB23456789', 'format'],
    ['A12345678X', 'format'],
    ['A123456788', 'checksum'],
    ['A123456780', 'checksum'],
    ['B123456789', 'checksum'],
    ['I123456789', 'checksum'], // would pass if I were 18 (alphabetical)
    ['A223456789', 'checksum'],
  ];
  for (const [input, error] of table) t.same(validateNationalId(input), { ok: false, error }, JSON.stringify(input));
});

t.test('the letter table has the irregular values of I, O, W and Z and covers A–Z', async (t) => {
  t.equal(Object.keys(LETTER_VALUES).length, 26);
  t.same([LETTER_VALUES.I, LETTER_VALUES.O, LETTER_VALUES.W, LETTER_VALUES.Z], [34, 35, 32, 33]);
  t.same(new Set(Object.values(LETTER_VALUES)).size, 26, 'values are distinct');
});

t.test('exactly one check digit makes a national ID valid', async (t) => {
  for (const letter of Object.keys(LETTER_VALUES)) {
    const valid = [...'0123456789'].filter((c) => idChecksumValid(letter, 1, `2345678${c}`));
    t.equal(valid.length, 1, letter);
  }
});
