import t from 'tap';
import { validateAddress } from '../../server/forms/address';

t.test('addresses are kept as typed, with spaces collapsed and trimmed', async (t) => {
  const table: Array<[string, string]> = [
    ['臺北市中正區愛國西路2號', '臺北市中正區愛國西路2號'],
    ['  臺北市中正區  愛國西路２號 ', '臺北市中正區 愛國西路２號'],
    ['No. 2, Aiguo W. Rd.,\nTaipei', 'No. 2, Aiguo W. Rd., Taipei'],
    ['址'.repeat(200), '址'.repeat(200)],
  ];
  for (const [input, value] of table)
    t.same(validateAddress(input), { ok: true, value }, JSON.stringify(input).slice(0, 40));
});

t.test('addresses that are empty, too long or contain control characters are refused', async (t) => {
  const table: Array<[string, string]> = [
    ['', 'required'],
    [' \n ', 'required'],
    ['址'.repeat(201), 'too_long'],
    ['臺北市\u0007', 'invalid_character'],
  ];
  for (const [input, error] of table)
    t.same(validateAddress(input), { ok: false, error }, JSON.stringify(input).slice(0, 40));
});
