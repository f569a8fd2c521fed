import t from 'tap';
import { normaliseName, sameName, validateName } from '../../server/forms/name';

t.test('names are normalised: half-width, single spaces, no space between Chinese characters', async (t) => {
  const table: Array<[string, string]> = [
    ['王小明', '王小明'],
    ['  王小明  ', '王小明'],
    ['王　小明', '王小明'], // full-width space
    ['王 小 明', '王小明'],
    ['ＣＨＥＮ　ＴＡ－ＷＥＩ', 'CHEN TA-WEI'],
    ['CHEN   TA-WEI', 'CHEN TA-WEI'],
    ['Chen\tTa Wei', 'Chen Ta Wei'],
    ['瓦歷斯 Nokan', '瓦歷斯 Nokan'], // a space between Chinese and Latin stays
    ['王\uE000明', '王\uE000明'], // a private-use rare character (戶政造字) passes through
  ];
  for (const [input, value] of table) {
    t.equal(normaliseName(input), value, JSON.stringify(input));
    t.same(validateName(input), { ok: true, value }, JSON.stringify(input));
  }
});

t.test('names that are empty, too long or contain control characters are refused', async (t) => {
  const table: Array<[string, string]> = [
    ['', 'required'],
    ['　 ', 'required'],
    ['王'.repeat(51), 'too_long'],
    ['王小明\u0000', 'invalid_character'],
    ['王小明\u202E', 'invalid_character'], // bidi override
    ['王\u200B小明', 'invalid_character'], // zero-width space
  ];
  for (const [input, error] of table) t.same(validateName(input), { ok: false, error }, JSON.stringify(input));
  t.same(validateName('王'.repeat(50)), { ok: true, value: '王'.repeat(50) }, '50 characters is the limit');
  t.same(validateName('𠀀'.repeat(50)), { ok: true, value: '𠀀'.repeat(50) }, 'characters outside the BMP count once');
});

t.test('a typed name matches a certificate CN written with other spaces or widths', async (t) => {
  t.ok(sameName('王 小明', '王小明'));
  t.ok(sameName('ｃｈｅｎ ta-wei', 'CHEN TA-WEI'));
  t.notOk(sameName('王小明', '王小民'));
  t.notOk(sameName('CHEN TAWEI', 'CHEN TA WEI'));
});
